using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ClusterRouting.Http.Tests.Leases;

/// <summary>
/// The ways a caller can take a routed response's body (a copy completing later, a synchronous copy, a stream opened
/// later or synchronously, a refusal's inspected prefix) and the ways each can fail: every one releases the lease
/// exactly once, and reports the member only when the failure came from its connection.
/// </summary>
public sealed class LeasedContentSerializationTests : IDisposable
{
    private readonly ClusterSelector _cluster = new("c", new ClusterOptions { Members = { new("gw-1") { Address = new Uri("http://gw-1.test/") } } });
    private readonly FailureLog _observer = new();

    public void Dispose() => _cluster.Dispose();

    private int InFlight => _cluster.GetStatus().Members[0].InFlight;

    private LeasedContent Wrap(HttpContent inner, byte[]? prefix = null, Stream? opened = null)
    {
        Assert.True(_cluster.TrySelect(out MemberLease lease));
        return new LeasedContent(inner, lease, _observer, prefix, opened);
    }

    /// <summary>A member's body of "0123456789" of which the first four bytes were read to inspect a refusal.</summary>
    private static (byte[] Prefix, Stream Opened) Inspected(Stream? rest = null)
    {
        var stream = rest ?? new MemoryStream(Encoding.UTF8.GetBytes("0123456789"));
        byte[] prefix = new byte[4];
        if (rest is null)
        {
            stream.ReadExactly(prefix);
        }
        else
        {
            Encoding.UTF8.GetBytes("0123").CopyTo(prefix, 0);
        }

        return (prefix, stream);
    }

    [Fact]
    public async Task CopyCompletingLater_HoldsTheLeaseUntilTheBodyIsCopied()
    {
        var gate = new GatedStream("body"u8.ToArray());
        using LeasedContent content = Wrap(new StreamContent(gate));

        Task load = content.LoadIntoBufferAsync();

        await gate.Reading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(load.IsCompleted);
        Assert.Equal(1, InFlight);
        gate.Open();
        await load.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, InFlight);
        Assert.Equal("body", await content.ReadAsStringAsync());
        Assert.Empty(_observer.Failed);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CopyThatThrowsAtOnce_Releases_AndReportsTheMemberOnlyForItsConnection(bool connection)
    {
        Exception failure = connection ? new SocketException((int)SocketError.ConnectionReset) : new InvalidOperationException("the content's own bug");
        using LeasedContent content = Wrap(new ScriptedContent { SerializeThrows = failure });

        Exception thrown = await Assert.ThrowsAnyAsync<Exception>(() => content.LoadIntoBufferAsync());

        Assert.Same(failure, thrown);
        Assert.Equal(0, InFlight);
        string[] reported = connection ? ["gw-1"] : [];
        Assert.Equal(reported, _observer.Failed);
    }

    [Fact]
    public async Task PrefixWithoutAnOpenedStream_IsFollowedByTheInnerContent()
    {
        using LeasedContent content = Wrap(new StringContent("456789"), Encoding.UTF8.GetBytes("0123"));

        Assert.Equal("0123456789", await content.ReadAsStringAsync());
        Assert.Equal(0, InFlight);
    }

    [Fact]
    public async Task PrefixThenTheOpenedStreamFailing_ReportsTheMemberAndReleases()
    {
        (byte[] prefix, Stream rest) = Inspected(new FailingStream(new HttpIOException(HttpRequestError.ResponseEnded, "premature end")));
        using LeasedContent content = Wrap(new StreamContent(rest), prefix, rest);

        await Assert.ThrowsAnyAsync<Exception>(() => content.LoadIntoBufferAsync());

        Assert.Equal(0, InFlight);
        Assert.Equal(["gw-1"], _observer.Failed);
    }

    [Fact]
    public void SynchronousCopy_WritesThePrefixThenTheRest_AndReleases()
    {
        (byte[] prefix, Stream rest) = Inspected();
        using LeasedContent content = Wrap(new StreamContent(rest), prefix, rest);
        using var destination = new MemoryStream();

        content.CopyTo(destination, context: null, CancellationToken.None);

        Assert.Equal("0123456789", Encoding.UTF8.GetString(destination.ToArray()));
        Assert.Equal(0, InFlight);
    }

    [Fact]
    public void SynchronousCopyFailing_ReportsTheMemberAndReleases()
    {
        (byte[] prefix, Stream rest) = Inspected(new FailingStream(new HttpIOException(HttpRequestError.ResponseEnded, "premature end")));
        using LeasedContent content = Wrap(new StreamContent(rest), prefix, rest);
        using var destination = new MemoryStream();

        Assert.ThrowsAny<Exception>(() => content.CopyTo(destination, context: null, CancellationToken.None));

        Assert.Equal("0123", Encoding.UTF8.GetString(destination.ToArray()));
        Assert.Equal(0, InFlight);
        Assert.Equal(["gw-1"], _observer.Failed);
    }

    [Fact]
    public async Task StreamOfAnInspectedBody_ReadsThePrefixThenTheRest_AndReleasesAtTheEnd()
    {
        (byte[] prefix, Stream rest) = Inspected();
        using LeasedContent content = Wrap(new StreamContent(rest), prefix, rest);
        content.Headers.ContentLength = null;

        Stream stream = await content.ReadAsStreamAsync();
        byte[] buffer = new byte[3];
        var read = new List<byte>();
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            read.AddRange(buffer.AsSpan(0, n));
            Assert.Equal(1, InFlight);
        }

        Assert.Equal("0123456789", Encoding.UTF8.GetString(read.ToArray()));
        Assert.Equal(0, InFlight);
    }

    [Fact]
    public async Task StreamOpenedLater_IsLeased_AndReleasedAtTheEnd()
    {
        using LeasedContent content = Wrap(new ScriptedContent { OpenAsync = async () => { await Task.Yield(); return new MemoryStream("later"u8.ToArray()); } });

        Stream stream = await content.ReadAsStreamAsync();

        Assert.IsType<LeasedStream>(stream);
        Assert.Equal(1, InFlight);
        Assert.Equal("later", await new StreamReader(stream).ReadToEndAsync());
        Assert.Equal(0, InFlight);
    }

    [Fact]
    public async Task StreamFailingToOpenLater_ReportsTheMemberAndReleases()
    {
        using LeasedContent content = Wrap(new ScriptedContent
        {
            OpenAsync = async () =>
            {
                await Task.Yield();
                throw new HttpIOException(HttpRequestError.ResponseEnded, "premature end");
            },
        });

        await Assert.ThrowsAsync<HttpIOException>(() => content.ReadAsStreamAsync());

        Assert.Equal(0, InFlight);
        Assert.Equal(["gw-1"], _observer.Failed);
    }

    [Fact]
    public async Task StreamFailingToOpenAtOnce_ReportsTheMemberAndReleases()
    {
        using LeasedContent content = Wrap(new ScriptedContent { OpenAsync = () => throw new SocketException((int)SocketError.ConnectionReset) });

        await Assert.ThrowsAsync<SocketException>(() => content.ReadAsStreamAsync());

        Assert.Equal(0, InFlight);
        Assert.Equal(["gw-1"], _observer.Failed);
    }

    [Fact]
    public void SynchronousStreamFailingToOpen_ReportsTheMemberAndReleases()
    {
        using LeasedContent content = Wrap(new ScriptedContent { Open = () => throw new HttpIOException(HttpRequestError.ResponseEnded, "premature end") });

        Assert.Throws<HttpIOException>(() => content.ReadAsStream());

        Assert.Equal(0, InFlight);
        Assert.Equal(["gw-1"], _observer.Failed);
    }

    /// <summary>Records the members whose body failed.</summary>
    private sealed class FailureLog : IResponseBodyObserver
    {
        public List<string> Failed { get; } = [];

        public void OnBodyFailed(string memberId, Exception exception) => Failed.Add(memberId);
    }

    /// <summary>A member's content whose copy or stream behaves as the test says.</summary>
    private sealed class ScriptedContent : HttpContent
    {
        public Exception? SerializeThrows { get; init; }

        public Func<Task<Stream>>? OpenAsync { get; init; }

        public Func<Stream>? Open { get; init; }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeThrows is null ? stream.WriteAsync("scripted"u8.ToArray()).AsTask() : throw SerializeThrows;

        protected override Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
            OpenAsync is null ? base.CreateContentReadStreamAsync(cancellationToken) : OpenAsync();

        protected override Stream CreateContentReadStream(CancellationToken cancellationToken) =>
            Open is null ? base.CreateContentReadStream(cancellationToken) : Open();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>A body whose first read waits until the test opens the gate.</summary>
    private sealed class GatedStream(byte[] body) : Stream
    {
        private readonly MemoryStream _body = new(body);
        private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Reading => _reading.Task;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Open() => _open.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _reading.TrySetResult();
            await _open.Task.WaitAsync(cancellationToken);
            return await _body.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A member's body whose every read fails.</summary>
    private sealed class FailingStream(Exception failure) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw failure;

        public override int Read(Span<byte> buffer) => throw failure;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(failure);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromException<int>(failure);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
