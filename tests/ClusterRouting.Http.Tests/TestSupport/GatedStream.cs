namespace ClusterRouting.Http.Tests.TestSupport;

/// <summary>A read-only stream over bytes whose asynchronous reads, or disposal, wait for a gate first.</summary>
internal sealed class GatedStream(byte[] bytes, Gate? readGate = null, Gate? disposeGate = null) : Stream
{
    private readonly MemoryStream _inner = new(bytes);

    public bool Disposed { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (readGate is not null)
        {
            await readGate.PassAsync(cancellationToken).ConfigureAwait(false);
        }

        return _inner.Read(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask DisposeAsync()
    {
        if (disposeGate is not null)
        {
            await disposeGate.PassAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Disposed = true;
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
