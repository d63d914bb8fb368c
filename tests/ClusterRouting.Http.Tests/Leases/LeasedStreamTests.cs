using System.Text;

namespace ClusterRouting.Http.Tests.Leases;

/// <summary>The stream of a routed response's body: read-only and forward-only, and it releases the lease when a read fails.</summary>
public sealed class LeasedStreamTests : IDisposable
{
    private readonly ClusterSelector _cluster = new("c", new ClusterOptions { Members = { new("gw-1") { Address = new Uri("http://gw-1.test/") } } });
    private readonly FailureLog _observer = new();

    public void Dispose() => _cluster.Dispose();

    private int InFlight => _cluster.GetStatus().Members[0].InFlight;

    private LeasedContent Wrap(HttpContent inner)
    {
        Assert.True(_cluster.TrySelect(out MemberLease lease));
        return new LeasedContent(inner, lease, _observer);
    }

    [Fact]
    public async Task Stream_IsReadOnlyAndForwardOnly_AndFlushingItChangesNothing()
    {
        using LeasedContent content = Wrap(new StringContent("body"));
        Stream stream = await content.ReadAsStreamAsync();

        Assert.True(stream.CanRead);
        Assert.False(stream.CanSeek);
        Assert.False(stream.CanWrite);
        Assert.Throws<NotSupportedException>(() => stream.Length);
        Assert.Throws<NotSupportedException>(() => stream.Position);
        Assert.Throws<NotSupportedException>(() => stream.Position = 1);
        Assert.Throws<NotSupportedException>(() => stream.Seek(1, SeekOrigin.Begin));
        Assert.Throws<NotSupportedException>(() => stream.SetLength(1));
        Assert.Throws<NotSupportedException>(() => stream.Write([1], 0, 1));

        stream.Flush();

        Assert.Equal(1, InFlight);
        Assert.Equal("body", await new StreamReader(stream).ReadToEndAsync());
        Assert.Equal(0, InFlight);
    }

#pragma warning disable CA1835 // The array overload is the one under test.
    [Fact]
    public async Task ReadAsyncIntoAnArray_FillsItAtTheOffset_AndReleasesWhenTheLengthIsRead()
    {
        using LeasedContent content = Wrap(new StringContent("abcdef"));
        Stream stream = await content.ReadAsStreamAsync();
        byte[] buffer = new byte[10];

        int first = await stream.ReadAsync(buffer, 2, 3);
        Assert.Equal(1, InFlight);
        int second = await stream.ReadAsync(buffer, 5, 5);

        Assert.Equal((3, 3), (first, second));
        Assert.Equal("\0\0abcdef\0\0", Encoding.UTF8.GetString(buffer));
        Assert.Equal(0, InFlight);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => stream.ReadAsync(buffer, 8, 5));
    }
#pragma warning restore CA1835

    [Fact]
    public void SynchronousReadFailingBecauseOfTheMember_ReportsItAndReleases()
    {
        var failure = new HttpIOException(HttpRequestError.ResponseEnded, "premature end");
        using LeasedContent content = Wrap(new StreamContent(new FailingStream(failure)));
        Stream stream = content.ReadAsStream();

        HttpIOException thrown = Assert.Throws<HttpIOException>(() => stream.Read(new byte[10], 0, 10));

        Assert.Same(failure, thrown);
        Assert.Equal(0, InFlight);
        Assert.Equal(["gw-1"], _observer.Failed);
    }

    private sealed class FailureLog : IResponseBodyObserver
    {
        public List<string> Failed { get; } = [];

        public void OnBodyFailed(string memberId, Exception exception) => Failed.Add(memberId);
    }

    private sealed class FailingStream(Exception failure) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw failure;

        public override int Read(Span<byte> buffer) => throw failure;

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
