using System.Text;
using ClusterRouting.Http.Tests.TestSupport;

namespace ClusterRouting.Http.Tests.Leases;

/// <summary>
/// Reading a routed response's body from a caller with a SynchronizationContext posts nothing to it: the content's and
/// the stream's awaits (a copy, an opening, a read, a disposal that has to wait) continue on the pool. Each test makes a
/// different await the first that has to wait, since only that one sees the caller's context.
/// </summary>
public sealed class CallerContextTests : IDisposable
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("body");
    private readonly ClusterSelector _cluster = new("c", new ClusterOptions { Members = { new("gw-1") { Address = new Uri("http://gw-1.test/") } } });
    private readonly RecordingContext _caller = new();
    private readonly Gate _gate = new();

    public void Dispose() => _cluster.Dispose();

    private int InFlight => _cluster.GetStatus().Members[0].InFlight;

    private LeasedContent Wrap(HttpContent inner, byte[]? prefix = null, Stream? opened = null)
    {
        Assert.True(_cluster.TrySelect(out MemberLease lease));
        return new LeasedContent(inner, lease, new NoObserver(), prefix, opened);
    }

    [Fact]
    public async Task CopyOfABodyStillArriving_PostsNothingToTheCallersContext()
    {
        using LeasedContent content = Wrap(new GatedContent(Body, serializeGate: _gate));
        var destination = new MemoryStream();

        await _caller.RunAsync(_gate, () => content.CopyToAsync(destination));

        Assert.Equal("body", Encoding.UTF8.GetString(destination.ToArray()));
        Assert.Equal(0, InFlight);
        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task CopyOfThePrefixToADestinationThatWaits_PostsNothingToTheCallersContext()
    {
        using LeasedContent content = Wrap(new ByteArrayContent("dy"u8.ToArray()), prefix: "bo"u8.ToArray());
        var destination = new GatedWriteStream(_gate);

        await _caller.RunAsync(_gate, () => content.CopyToAsync(destination));

        Assert.Equal("body", Encoding.UTF8.GetString(destination.Written));
        Assert.Equal(0, InFlight);
        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task CopyOfAnOpenedBodyStillArriving_PostsNothingToTheCallersContext()
    {
        using LeasedContent content = Wrap(new ByteArrayContent([]), opened: new GatedStream(Body, readGate: _gate));
        var destination = new MemoryStream();

        await _caller.RunAsync(_gate, () => content.CopyToAsync(destination));

        Assert.Equal("body", Encoding.UTF8.GetString(destination.ToArray()));
        Assert.Equal(0, InFlight);
        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task CopyAfterThePrefixOfTheRestStillArriving_PostsNothingToTheCallersContext()
    {
        using LeasedContent content = Wrap(new GatedContent("dy"u8.ToArray(), serializeGate: _gate), prefix: "bo"u8.ToArray());
        var destination = new MemoryStream();

        await _caller.RunAsync(_gate, () => content.CopyToAsync(destination));

        Assert.Equal("body", Encoding.UTF8.GetString(destination.ToArray()));
        Assert.Equal(0, InFlight);
        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task StreamThatOpensLater_PostsNothingToTheCallersContext()
    {
        using LeasedContent content = Wrap(new GatedContent(Body, openGate: _gate));

        Stream stream = await _caller.RunAsync(_gate, () => content.ReadAsStreamAsync());

        Assert.IsType<LeasedStream>(stream);
        Assert.Equal("body", await new StreamReader(stream).ReadToEndAsync());
        Assert.Equal(0, InFlight);
        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task ReadOfABodyStillArriving_PostsNothingToTheCallersContext()
    {
        using LeasedContent content = Wrap(new ByteArrayContent([]), opened: new GatedStream(Body, readGate: _gate));
        Stream stream = await content.ReadAsStreamAsync();
        byte[] buffer = new byte[16];

        int read = await _caller.RunAsync(_gate, () => stream.ReadAsync(buffer).AsTask());

        Assert.Equal("body", Encoding.UTF8.GetString(buffer, 0, read));
        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task DisposeOfAStreamWhoseDisposalWaits_PostsNothingToTheCallersContext()
    {
        var inner = new GatedStream(Body, disposeGate: _gate);
        using LeasedContent content = Wrap(new ByteArrayContent([]), opened: inner);
        Stream stream = await content.ReadAsStreamAsync();

        await _caller.RunAsync(_gate, () => stream.DisposeAsync().AsTask());

        Assert.True(inner.Disposed);
        Assert.Equal(0, InFlight);
        Assert.Equal(0, _caller.Calls);
    }

    private sealed class NoObserver : IResponseBodyObserver
    {
        public void OnBodyFailed(string memberId, Exception exception) => throw new InvalidOperationException("No body fails in these tests.");
    }

    /// <summary>A destination whose asynchronous writes wait for a gate.</summary>
    private sealed class GatedWriteStream(Gate gate) : Stream
    {
        private readonly MemoryStream _written = new();

        public byte[] Written => _written.ToArray();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await gate.PassAsync(cancellationToken).ConfigureAwait(false);
            _written.Write(buffer.Span);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => _written.Write(buffer, offset, count);

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
