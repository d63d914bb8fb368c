using System.Text;
using ClusterRouting.Http.Tests.TestSupport;

namespace ClusterRouting.Http.Tests.Leases;

/// <summary>
/// The details of a leased body: the stream already opened (to inspect a refusal) is the body, not a new one from the
/// member's content; a length only the member's content knows; the stream's argument checks; when its disposal frees
/// the slot; and the reads that do not end the body (an empty buffer, bytes past a Content-Length of 0).
/// </summary>
public sealed class LeaseDetailsTests : IDisposable
{
    private readonly ClusterSelector _cluster = new("c", new ClusterOptions { Members = { new("gw-1") { Address = new Uri("http://gw-1.test/") } } });

    public void Dispose() => _cluster.Dispose();

    private int InFlight => _cluster.GetStatus().Members[0].InFlight;

    private LeasedContent Wrap(HttpContent inner, byte[]? prefix = null, Stream? opened = null)
    {
        Assert.True(_cluster.TrySelect(out MemberLease lease));
        return new LeasedContent(inner, lease, new NoObserver(), prefix, opened);
    }

    [Fact]
    public async Task StreamOfAnInspectedBody_IsThePrefixThenTheOpenedStream_AsynchronouslyAndSynchronously()
    {
        using LeasedContent asynchronous = Wrap(new ByteArrayContent("other"u8.ToArray()), "pre"u8.ToArray(), new MemoryStream("rest"u8.ToArray()));
        using LeasedContent synchronous = Wrap(new ByteArrayContent("other"u8.ToArray()), "pre"u8.ToArray(), new MemoryStream("rest"u8.ToArray()));

        Assert.Equal("prerest", await new StreamReader(await asynchronous.ReadAsStreamAsync()).ReadToEndAsync());
        Assert.Equal("prerest", new StreamReader(synchronous.ReadAsStream()).ReadToEnd());
    }

    [Fact]
    public void ContentOfUnknownLength_HasNoContentLength()
    {
        using LeasedContent content = Wrap(new StreamContent(new NonSeekableStream([1, 2, 3])));

        Assert.Null(content.Headers.ContentLength);
    }

    [Fact]
    public async Task Read_NullBuffer_ThrowsNamingIt()
    {
        using LeasedContent content = Wrap(new ByteArrayContent([1, 2, 3]));
        Stream stream = await content.ReadAsStreamAsync();

        Assert.Throws<ArgumentNullException>("buffer", () => stream.Read(null!, 0, 1));
        await Assert.ThrowsAsync<ArgumentNullException>("buffer", () => stream.ReadAsync(null!, 0, 1));
    }

    [Fact]
    public async Task DisposeAsync_FreesTheSlotAtOnce_ThenWaitsForTheMembersStreamToDisposeAsynchronously()
    {
        var gate = new Gate();
        var inner = new GatedStream("body"u8.ToArray(), disposeGate: gate);
        using LeasedContent content = Wrap(new ByteArrayContent([]), opened: inner);
        Stream stream = await content.ReadAsStreamAsync();

        Task disposing = stream.DisposeAsync().AsTask();

        Assert.Equal(0, InFlight);
        Assert.False(disposing.IsCompleted, "the member's stream was not disposed asynchronously");
        gate.Open();
        await disposing.WaitAsync(Members.Timeout);
        Assert.True(inner.Disposed);
    }

    [Fact]
    public async Task Dispose_FreesTheSlot_AndDisposesTheMembersStream()
    {
        var inner = new GatedStream("body"u8.ToArray());
        using LeasedContent content = Wrap(new ByteArrayContent([]), opened: inner);
        Stream stream = await content.ReadAsStreamAsync();

        stream.Dispose();

        Assert.Equal(0, InFlight);
        Assert.True(inner.Disposed);
    }

    [Fact]
    public async Task AnEmptyRead_DoesNotEndTheBody()
    {
        using LeasedContent content = Wrap(new ByteArrayContent("abc"u8.ToArray()));
        Stream stream = await content.ReadAsStreamAsync();

        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
        Assert.Equal(0, stream.Read([], 0, 0));

        Assert.Equal(1, InFlight);
        Assert.Equal("abc", await new StreamReader(stream).ReadToEndAsync());
        Assert.Equal(0, InFlight);
    }

    [Fact]
    public async Task BytesPastAContentLengthOfZero_KeepTheSlotUntilTheStreamEnds()
    {
        var inner = new StreamContent(new MemoryStream("abc"u8.ToArray()));
        inner.Headers.ContentLength = 0;
        using LeasedContent content = Wrap(inner);
        Stream stream = await content.ReadAsStreamAsync();
        byte[] buffer = new byte[8];

        Assert.Equal(3, await stream.ReadAsync(buffer));
        Assert.Equal(1, InFlight);
        Assert.Equal(0, await stream.ReadAsync(buffer));
        Assert.Equal(0, InFlight);
    }

    private sealed class NoObserver : IResponseBodyObserver
    {
        public void OnBodyFailed(string memberId, Exception exception) => throw new InvalidOperationException("No body fails in these tests.");
    }
}
