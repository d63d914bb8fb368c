using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace ClusterRouting.Http.Tests.Leases;

/// <summary>The content wrapper that holds a member's lease, over in-memory contents (the loopback tests use Kestrel's).</summary>
public sealed class LeasedContentTests : IDisposable
{
    private readonly ClusterSelector _cluster = new("c", new ClusterOptions { Members = { new("gw-1") { Address = new Uri("http://gw-1.test/") } } });
    private readonly Observer _observer = new();

    public void Dispose() => _cluster.Dispose();

    private int InFlight => _cluster.GetStatus().Members[0].InFlight;

    private LeasedContent Wrap(HttpContent inner, byte[]? prefix = null, Stream? opened = null)
    {
        Assert.True(_cluster.TrySelect(out MemberLease lease));
        return new LeasedContent(inner, lease, _observer, prefix, opened);
    }

    [Fact]
    public void Constructor_CopiesEveryContentHeaderWithEveryValue()
    {
        var inner = new ByteArrayContent("hello"u8.ToArray());
        inner.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        inner.Headers.TryAddWithoutValidation("Content-Language", ["en", "fr"]);
        inner.Headers.TryAddWithoutValidation("X-Unknown", "kept");

        using LeasedContent content = Wrap(inner);

        Assert.Equal("application/json", content.Headers.ContentType?.MediaType);
        Assert.Equal(["en", "fr"], content.Headers.ContentLanguage);
        Assert.Equal(["kept"], content.Headers.GetValues("X-Unknown"));
        Assert.Equal(5, content.Headers.ContentLength);
    }

    [Fact]
    public async Task LoadIntoBuffer_ReleasesOnceTheBodyIsRead()
    {
        using LeasedContent content = Wrap(new StringContent("body"));
        Assert.Equal(1, InFlight);

        await content.LoadIntoBufferAsync();

        Assert.Equal(0, InFlight);
        Assert.Equal("body", await content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReadStream_ReleasesAtTheEndAndOnlyOnce()
    {
        using LeasedContent content = Wrap(new StringContent("body"));
        Stream stream = await content.ReadAsStreamAsync();
        byte[] buffer = new byte[2];

        Assert.Equal(2, await stream.ReadAsync(buffer));
        Assert.Equal(1, InFlight);
        Assert.Equal(2, await stream.ReadAsync(buffer));

        // Content-Length bytes were read: the operation is over without waiting for a read that returns 0.
        Assert.Equal(0, InFlight);
        Assert.Equal(0, await stream.ReadAsync(buffer));
        await stream.DisposeAsync();
        content.Dispose();
        Assert.Equal(0, InFlight);
        Assert.True(content.IsReleased);

        // The slot is free: the next selection takes it, and nothing released it twice.
        Assert.True(_cluster.TrySelect(out MemberLease next));
        Assert.Equal(1, InFlight);
        next.Dispose();
    }

    [Fact]
    public void SyncRead_WithoutLength_ReleasesOnTheZeroRead()
    {
        using LeasedContent content = Wrap(new StreamContent(new MemoryStream("abc"u8.ToArray())));
        content.Headers.ContentLength = null;
        Stream stream = content.ReadAsStream();

        Assert.Equal("abc", new StreamReader(stream).ReadToEnd());

        Assert.Equal(0, InFlight);
    }

    [Fact]
    public async Task Dispose_Unread_ReleasesAndDisposesTheInnerContent()
    {
        var inner = new TrackingContent();
        LeasedContent content = Wrap(inner);

        content.Dispose();
        content.Dispose();

        Assert.Equal(0, InFlight);
        Assert.True(inner.Disposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Prefix_TheBodyIsThePrefixThenTheRestOfTheOpenedStream()
    {
        var opened = new MemoryStream(Encoding.UTF8.GetBytes("0123456789"));
        byte[] prefix = new byte[4];
        opened.ReadExactly(prefix);

        using (LeasedContent content = Wrap(new StreamContent(opened), prefix, opened))
        {
            Assert.Equal("0123456789", await content.ReadAsStringAsync());
            Assert.Equal(0, InFlight);
        }

        var again = new MemoryStream(Encoding.UTF8.GetBytes("0123456789"));
        again.ReadExactly(prefix);
        using (LeasedContent content = Wrap(new StreamContent(again), prefix, again))
        {
            using var reader = new StreamReader(content.ReadAsStream());
            Assert.Equal("0123456789", reader.ReadToEnd());
            Assert.Equal(0, InFlight);
        }
    }

    [Fact]
    public async Task ReadFailsBecauseOfTheMember_ReportsItOnceAndReleases()
    {
        using LeasedContent content = Wrap(new StreamContent(new FailingStream(new HttpIOException(HttpRequestError.ResponseEnded, "premature end"))));
        Stream stream = await content.ReadAsStreamAsync();

        await Assert.ThrowsAsync<HttpIOException>(() => stream.ReadAsync(new byte[10]).AsTask());
        await Assert.ThrowsAsync<HttpIOException>(() => stream.ReadAsync(new byte[10]).AsTask());

        Assert.Equal(0, InFlight);
        Assert.Equal(["gw-1"], _observer.Failed);
    }

    [Fact]
    public async Task ReadCanceled_ReleasesWithoutReporting()
    {
        using LeasedContent content = Wrap(new StreamContent(new FailingStream(new OperationCanceledException())));
        Stream stream = await content.ReadAsStreamAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stream.ReadAsync(new byte[10]).AsTask());

        Assert.Equal(0, InFlight);
        Assert.Empty(_observer.Failed);
    }

    [Fact]
    public async Task CopyFailsBecauseOfTheMember_ReportsAndReleases()
    {
        using LeasedContent content = Wrap(new StreamContent(new FailingStream(new HttpIOException(HttpRequestError.ResponseEnded, "premature end"))));

        await Assert.ThrowsAnyAsync<Exception>(() => content.LoadIntoBufferAsync());

        Assert.Equal(0, InFlight);
        Assert.Equal(["gw-1"], _observer.Failed);
    }

    [Fact]
    public void TryComputeLength_NoHeader_AsksTheInnerContent()
    {
        var inner = new TrackingContent();

        using LeasedContent content = Wrap(inner);

        Assert.Equal(TrackingContent.Length, content.Headers.ContentLength);
    }

    private sealed class Observer : IResponseBodyObserver
    {
        public List<string> Failed { get; } = [];

        public void OnBodyFailed(string memberId, Exception exception) => Failed.Add(memberId);
    }

    /// <summary>A content that computes its length instead of storing the header, and says when it is disposed.</summary>
    private sealed class TrackingContent : HttpContent
    {
        public const long Length = 3;

        public bool Disposed { get; private set; }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync("abc"u8.ToArray()).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = Length;
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    private sealed class FailingStream(Exception failure) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw failure;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(failure);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
