namespace ClusterRouting.Http;

/// <summary>
/// The stream of a routed response's body. It releases its content's lease when the body has been read to the end
/// (a read returns 0, or as many bytes as Content-Length said have been read), when a read fails, or when it is disposed.
/// </summary>
internal sealed class LeasedStream : Stream
{
    private readonly LeasedContent _content;
    private readonly Stream _inner;
    private readonly byte[]? _prefix;
    private int _prefixOffset;

    // Bytes still expected when the length is known, else -1.
    private long _remaining;

    public LeasedStream(LeasedContent content, Stream inner, byte[]? prefix, long? length)
    {
        _content = content;
        _inner = inner;
        _prefix = prefix;
        _remaining = length ?? -1;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        if (TryReadPrefix(buffer, out int copied))
        {
            return Account(copied, buffer.Length);
        }

        int read;
        try
        {
            read = _inner.Read(buffer);
        }
        catch (Exception ex)
        {
            _content.Fail(ex);
            throw;
        }

        return Account(read, buffer.Length);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (TryReadPrefix(buffer.Span, out int copied))
        {
            return Account(copied, buffer.Length);
        }

        int read;
        try
        {
            read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _content.Fail(ex);
            throw;
        }

        return Account(read, buffer.Length);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override async ValueTask DisposeAsync()
    {
        _content.Release();
        await _inner.DisposeAsync().ConfigureAwait(false);
        // Stryker disable once Boolean,Statement : Stream.DisposeAsync only calls Dispose, which releases (done above, once) and disposes the member's stream (done above) again, and returns a completed task, whose await goes on at once on either setting
        await base.DisposeAsync().ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _content.Release();
            _inner.Dispose();
        }

        // Stryker disable once Statement : Stream.Dispose(bool) does nothing
        base.Dispose(disposing);
    }

    private bool TryReadPrefix(Span<byte> buffer, out int copied)
    {
        if (_prefix is null || _prefixOffset >= _prefix.Length || buffer.IsEmpty)
        {
            copied = 0;
            return false;
        }

        copied = Math.Min(buffer.Length, _prefix.Length - _prefixOffset);
        _prefix.AsSpan(_prefixOffset, copied).CopyTo(buffer);
        _prefixOffset += copied;
        return true;
    }

    private int Account(int read, int requested)
    {
        if (read == 0 && requested > 0)
        {
            _content.Release();
        }
        else if (_remaining > 0 && (_remaining -= read) <= 0)
        {
            _content.Release();
        }

        return read;
    }
}
