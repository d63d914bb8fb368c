using System.Net;
using System.Text;
using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Http.Tests.Handler;

/// <summary>
/// The details of an attempt, against members answered in memory: which of the inner handler's methods it uses and how
/// it reads a refusal's body (synchronously only for a synchronous send), how much of that body it reads, what it frees
/// and puts back after each attempt, the caller's cancellation, and a request's content factory.
/// </summary>
public sealed class AttemptDetailsTests
{
    private static readonly string[] Two = ["gw-1", "gw-2"];

    private static HttpMessageInvoker Invoker(ClusterSelector cluster, HttpMessageHandler members, ClusterRoutingHandlerOptions? options = null, TimeProvider? timeProvider = null) =>
        new(new ClusterRoutingHandler(cluster, options, timeProvider: timeProvider) { InnerHandler = members });

    private static HttpResponseMessage Text(string text, HttpStatusCode status = HttpStatusCode.OK) => new(status) { Content = new StringContent(text) };

    private static HttpRequestMessage Get() => new(HttpMethod.Get, "http://refresh/q");

    [Fact]
    public void Send_UsesTheInnerHandlersSend_AndReadsARefusalsBodySynchronously()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var body = new RecordingStream(Encoding.UTF8.GetBytes(GatewayMessages.Memory));
        var members = new SyncOnlyMembers()
            .On("gw-1", () => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StreamContent(body) })
            .On("gw-2", () => Text("two"));
        using HttpMessageInvoker invoker = Invoker(cluster, members);

        using HttpResponseMessage response = invoker.Send(Get(), CancellationToken.None);

        Assert.Equal("two", new StreamReader(response.Content.ReadAsStream()).ReadToEnd());
        Assert.Equal(MemberRejectionReason.MemoryLimit, cluster.GetStatus().Members[0].Throttle);
        Assert.True(body.SyncReads > 0);
        Assert.Equal(0, body.AsyncReads);
    }

    [Fact]
    public async Task SendAsync_ReadsARefusalsBodyAsynchronously()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var body = new RecordingStream(Encoding.UTF8.GetBytes(GatewayMessages.Memory));
        var members = new StubMembers()
            .On("gw-1", _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StreamContent(body) })
            .On("gw-2", _ => Text("two"));
        using HttpMessageInvoker invoker = Invoker(cluster, members);

        using HttpResponseMessage response = await invoker.SendAsync(Get(), CancellationToken.None);

        Assert.Equal("two", await response.Content.ReadAsStringAsync());
        Assert.Equal(MemberRejectionReason.MemoryLimit, cluster.GetStatus().Members[0].Throttle);
        Assert.True(body.AsyncReads > 0);
        Assert.Equal(0, body.SyncReads);
    }

    [Fact]
    public async Task SendAsync_RefusalNamingItsLimitInAHeader_IsNotReadFurther()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var body = new RecordingStream(Encoding.UTF8.GetBytes(GatewayMessages.Memory));
        var members = new StubMembers()
            .On("gw-1", _ =>
            {
                var refusal = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StreamContent(body) };
                refusal.Headers.TryAddWithoutValidation("ClusterRouting-Limit", "cpu");
                return refusal;
            })
            .On("gw-2", _ => Text("two"));
        using HttpMessageInvoker invoker = Invoker(cluster, members);

        using HttpResponseMessage response = await invoker.SendAsync(Get(), CancellationToken.None);

        Assert.Equal(MemberRejectionReason.CpuLimit, cluster.GetStatus().Members[0].Throttle);
        Assert.Equal((0, 0), (body.SyncReads, body.AsyncReads));
    }

    [Fact]
    public async Task SendAsync_NoBodyToRead_AServiceUnavailableWithoutHeadersIsTheAnswer_AndARetryAfterMakesItARefusal()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two, timeProvider: new FakeTimeProvider());
        bool retryAfter = false;
        var members = new StubMembers()
            .On("gw-1", _ =>
            {
                HttpResponseMessage refusal = Text(GatewayMessages.Cpu, HttpStatusCode.ServiceUnavailable);
                if (retryAfter)
                {
                    refusal.Headers.TryAddWithoutValidation("Retry-After", "3");
                }

                return refusal;
            })
            .On("gw-2", _ => Text("two"));
        using HttpMessageInvoker invoker = Invoker(cluster, members, new ClusterRoutingHandlerOptions { MaxRefusalBodyBytes = 0 });

        using (HttpResponseMessage answer = await invoker.SendAsync(Get(), CancellationToken.None))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Equal(GatewayMessages.Cpu, await answer.Content.ReadAsStringAsync());
        }

        retryAfter = true;
        using HttpResponseMessage failover = await invoker.SendAsync(Get(), CancellationToken.None);

        Assert.Equal("two", await failover.Content.ReadAsStringAsync());
        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Equal((MemberRejectionReason.ConcurrencyLimit, TimeSpan.FromSeconds(3)), (primary.Throttle, primary.ThrottleRetryAfter));
    }

    [Fact]
    public async Task SendAsync_ARefusalsBody_IsReadUpToTheBoundAndNotWaitedOnFurther()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var body = new StallingStream("abcdefgh"u8.ToArray());
        var members = new StubMembers().On("gw-1", _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StreamContent(body) });
        using HttpMessageInvoker invoker = Invoker(cluster, members, new ClusterRoutingHandlerOptions { MaxRefusalBodyBytes = 8 });

        using HttpResponseMessage answer = await invoker.SendAsync(Get(), CancellationToken.None).WaitAsync(Members.Timeout);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Stream stream = await answer.Content.ReadAsStreamAsync();
        byte[] prefix = new byte[8];
        Assert.Equal(8, await stream.ReadAsync(prefix));
        Assert.Equal("abcdefgh", Encoding.UTF8.GetString(prefix));
        Assert.Equal(1, body.Reads);
    }

    [Fact]
    public async Task SendAsync_WithAnAttemptTimeout_AnAnswerThatIsNoRefusal_IsReturnedWithoutReadingItsBody()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var body = new StallingStream("abcdefgh"u8.ToArray());
        var members = new StubMembers().On("gw-1", _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) });
        using HttpMessageInvoker invoker = Invoker(cluster, members, new ClusterRoutingHandlerOptions { AttemptTimeout = TimeSpan.FromMinutes(1) });

        using HttpResponseMessage answer = await invoker.SendAsync(Get(), CancellationToken.None).WaitAsync(Members.Timeout);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(0, body.Reads);
    }

    [Fact]
    public void Send_OpensARefusalsBodySynchronously()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var members = new SyncOnlyMembers()
            .On("gw-1", () => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new SyncOpeningContent(Encoding.UTF8.GetBytes(GatewayMessages.Cpu)) })
            .On("gw-2", () => Text("two"));
        using HttpMessageInvoker invoker = Invoker(cluster, members);

        using HttpResponseMessage response = invoker.Send(Get(), CancellationToken.None);

        Assert.Equal("two", new StreamReader(response.Content.ReadAsStream()).ReadToEnd());
        Assert.Equal(MemberRejectionReason.CpuLimit, cluster.GetStatus().Members[0].Throttle);
    }

    [Fact]
    public async Task SendAsync_FactoryOfABodySentOnce_DisposesTheContentSent()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var members = new StubMembers()
            .On("gw-1", _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"))
            .On("gw-2", _ => Text("two"));
        using HttpMessageInvoker invoker = Invoker(cluster, members);
        var created = new List<DisposalTrackingContent>();
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://refresh/q");
        request.SetContentFactory(() =>
        {
            var content = new DisposalTrackingContent();
            created.Add(content);
            return content;
        });

        (await invoker.SendAsync(request, CancellationToken.None)).Dispose();

        Assert.Equal(2, created.Count);
        Assert.True(created[0].Disposed);
        Assert.False(created[1].Disposed);
    }

    [Fact]
    public async Task SendAsync_RequestWithoutUri_ThrowsSayingHowToAddressTheCluster()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        using HttpMessageInvoker invoker = Invoker(cluster, new StubMembers());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => invoker.SendAsync(new HttpRequestMessage(), CancellationToken.None));

        Assert.Equal("The request has no RequestUri: address the cluster by name, as in http://refresh/path, or set HttpClient.BaseAddress.", error.Message);
    }

    [Fact]
    public async Task SendAsync_CallerAlreadyCanceled_SendsNothing()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var members = new StubMembers().On("gw-1", _ => Text("one"));
        using HttpMessageInvoker invoker = Invoker(cluster, members);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => invoker.SendAsync(Get(), new CancellationToken(canceled: true)));

        Assert.Empty(members.Received);
        Assert.Equal(0, Members.TotalInFlight(cluster));
    }

    [Fact]
    public async Task SendAsync_CallerCancelsAfterARefusal_TriesNoOtherMember()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        using var cancel = new CancellationTokenSource();
        var members = new StubMembers()
            .On("gw-1", _ =>
            {
                cancel.Cancel();
                HttpResponseMessage refusal = Text(string.Empty, HttpStatusCode.TooManyRequests);
                refusal.Headers.TryAddWithoutValidation("Retry-After", "1");
                return refusal;
            })
            .On("gw-2", _ => Text("two"));
        using HttpMessageInvoker invoker = Invoker(cluster, members);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => invoker.SendAsync(Get(), cancel.Token));

        Assert.Equal(["gw-1"], members.Received.Select(r => r.Member));
    }

    [Fact]
    public async Task SendAsync_CallerCancelsWhileTheMemberFails_ThrowsTheCallersCancellationWithTheMembersErrorInside()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        using var cancel = new CancellationTokenSource();
        var failure = new HttpRequestException(HttpRequestError.ConnectionError, "refused");
        var members = new StubMembers().On("gw-1", _ =>
        {
            cancel.Cancel();
            throw failure;
        });
        using HttpMessageInvoker invoker = Invoker(cluster, members);

        var error = await Assert.ThrowsAsync<OperationCanceledException>(() => invoker.SendAsync(Get(), cancel.Token));

        Assert.Equal("The request was canceled.", error.Message);
        Assert.Same(failure, error.InnerException);
        Assert.Equal(cancel.Token, error.CancellationToken);
    }

    [Fact]
    public async Task SendAsync_WithAnAttemptTimeout_EachAttemptsTimerIsDisposed_AndItsTokenNoLongerFollowsTheCaller()
    {
        var time = new TimerCountingTimeProvider();
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        CancellationToken attemptToken = default;
        var members = new StubMembers().On("gw-2", (_, token) =>
        {
            attemptToken = token;
            return Task.FromResult(Text("two"));
        });
        using HttpMessageInvoker invoker = Invoker(cluster, members, new ClusterRoutingHandlerOptions { AttemptTimeout = TimeSpan.FromSeconds(3) }, time);
        using var caller = new CancellationTokenSource();

        using (HttpResponseMessage response = await invoker.SendAsync(Get(), caller.Token))
        {
            Assert.Equal("two", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)], time.DueTimes);
        Assert.Equal(2, time.TimersDisposed);
        await caller.CancelAsync();
        Assert.False(attemptToken.IsCancellationRequested);
    }

    [Fact]
    public async Task SendAsync_ARefusedAttemptsResponse_IsDisposed_AndItsErrorSaysWhatTheMemberAnswered()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", ["gw-1"]);
        var content = new DisposalTrackingContent();
        var members = new StubMembers().On("gw-1", _ =>
        {
            var refusal = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = content };
            refusal.Headers.TryAddWithoutValidation("ClusterRouting-Limit", "memory");
            return refusal;
        });
        using HttpMessageInvoker invoker = Invoker(cluster, members);

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(() => invoker.SendAsync(Get(), CancellationToken.None));

        Assert.True(content.Disposed);
        var refused = Assert.IsType<MemberRefusedException>(Assert.Single(error.Attempts).Exception);
        var answer = Assert.IsType<HttpRequestException>(refused.InnerException);
        Assert.Equal(("Member 'gw-1' answered 503 (ServiceUnavailable).", HttpStatusCode.ServiceUnavailable), (answer.Message, answer.StatusCode));
    }

    [Fact]
    public async Task SendAsync_ARefusalsBodyFailingForAReasonNotTheMembers_EndsTheRequestAndDisposesTheResponse()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var failure = new InvalidOperationException("the body cannot be read twice");
        var content = new DisposalTrackingContent(failure);
        var members = new StubMembers()
            .On("gw-1", _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = content })
            .On("gw-2", _ => Text("two"));
        using HttpMessageInvoker invoker = Invoker(cluster, members, new ClusterRoutingHandlerOptions { AttemptTimeout = TimeSpan.FromMinutes(1) });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => invoker.SendAsync(Get(), CancellationToken.None));

        Assert.Same(failure, error);
        Assert.True(content.Disposed);
        Assert.Equal(["gw-1"], members.Received.Select(r => r.Member));
        Assert.Equal(0, Members.TotalInFlight(cluster));
    }

    [Fact]
    public async Task SendAsync_RequestThatFailsOnEveryMember_AddressesTheClusterAgainAfterwards()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        using HttpMessageInvoker invoker = Invoker(cluster, new StubMembers());
        using HttpRequestMessage request = Get();

        await Assert.ThrowsAsync<AllMembersFailedException>(() => invoker.SendAsync(request, CancellationToken.None));

        Assert.Equal("http://refresh/q", request.RequestUri!.AbsoluteUri);
    }

    // With an attempt timeout, the first attempt goes through the attempt loop rather than the fast path.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SendAsync_FactoryOfABodyThatCanBeSentAgain_IsNotCalledAgainOnFailover(bool withAttemptTimeout)
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var members = new StubMembers()
            .On("gw-1", _ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "ended"))
            .On("gw-2", _ => Text("two"));
        using HttpMessageInvoker invoker = Invoker(cluster, members, withAttemptTimeout ? new ClusterRoutingHandlerOptions { AttemptTimeout = TimeSpan.FromMinutes(1) } : null);
        int created = 0;
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://refresh/q");
        request.SetContentFactory(() =>
        {
            created++;
            return new StringContent("body");
        });

        using HttpResponseMessage response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal("two", await response.Content.ReadAsStringAsync());
        Assert.Equal(1, created);
        Assert.Equal(["body", "body"], members.Received.Select(r => r.Body));
    }

    [Fact]
    public async Task SendAsync_FactoryOfABodySentOnce_DisposesTheSentOneBeforeCreatingTheNext_AndKeepsAContentTheCallerSetSince()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        bool gw1Fails = true;
        var members = new StubMembers()
            .On("gw-1", _ => gw1Fails ? throw new HttpRequestException(HttpRequestError.ConnectionError, "refused") : Text("one"))
            .On("gw-2", _ => Text("two"));
        using HttpMessageInvoker invoker = Invoker(cluster, members);
        var created = new List<NonSeekableStream>();
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://refresh/q");
        request.SetContentFactory(() =>
        {
            var stream = new NonSeekableStream(Encoding.UTF8.GetBytes($"factory {created.Count}"));
            created.Add(stream);
            return new StreamContent(stream);
        });

        (await invoker.SendAsync(request, CancellationToken.None)).Dispose();
        Assert.Equal(2, created.Count);
        Assert.True(created[0].Disposed);

        gw1Fails = false;
        cluster.ReportSuccess("gw-1");
        request.Content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes("mine")));
        (await invoker.SendAsync(request, CancellationToken.None)).Dispose();

        Assert.Equal(["factory 0", "factory 1", "mine"], members.Received.Select(r => r.Body));
        Assert.Equal(2, created.Count);
    }

    [Fact]
    public async Task SendAsync_FactoryReturningNull_ThrowsSayingSo()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var members = new StubMembers().On("gw-1", _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"));
        using HttpMessageInvoker invoker = Invoker(cluster, members);
        int calls = 0;
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://refresh/q");
        request.SetContentFactory(() => calls++ == 0 ? new StreamContent(new NonSeekableStream([1])) : null!);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => invoker.SendAsync(request, CancellationToken.None));

        Assert.Equal("The request's content factory returned null.", error.Message);
        Assert.Equal(0, Members.TotalInFlight(cluster));
    }

    [Fact]
    public void SetContentFactory_NullArguments_ThrowNamingThem()
    {
        using var request = new HttpRequestMessage();

        Assert.Throws<ArgumentNullException>("request", () => ((HttpRequestMessage)null!).SetContentFactory(() => new StringContent("x")));
        Assert.Throws<ArgumentNullException>("contentFactory", () => request.SetContentFactory(null!));
        Assert.Null(request.Content);
    }

    /// <summary>Members that answer only through the synchronous Send: an asynchronous send is a failure of the test.</summary>
    private sealed class SyncOnlyMembers : HttpMessageHandler
    {
        private readonly Dictionary<string, Func<HttpResponseMessage>> _members = [];

        public SyncOnlyMembers On(string memberId, Func<HttpResponseMessage> answer)
        {
            _members[memberId] = answer;
            return this;
        }

        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _members[request.RequestUri!.Host[..^".test".Length]]();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("SendAsync was called for a synchronous Send.");
    }

    /// <summary>A body that counts its synchronous and asynchronous reads.</summary>
    private sealed class RecordingStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public int SyncReads { get; private set; }

        public int AsyncReads { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            SyncReads++;
            return _inner.Read(buffer, offset, count);
        }

        public override int Read(Span<byte> buffer)
        {
            SyncReads++;
            return _inner.Read(buffer);
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            AsyncReads++;
            return new ValueTask<int>(_inner.Read(buffer.Span));
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A member's body that gives its first bytes and then stalls, as a connection on which nothing more arrives: later reads wait until canceled.</summary>
    private sealed class StallingStream(byte[] first) : Stream
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _reads) == 1)
            {
                first.CopyTo(buffer);
                return first.Length;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
            return 0;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A content whose stream opens only synchronously: opening it asynchronously is a failure of the test.</summary>
    private sealed class SyncOpeningContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => new MemoryStream(bytes, writable: false);

        protected override Task<Stream> CreateContentReadStreamAsync() =>
            throw new InvalidOperationException("The body was opened asynchronously for a synchronous Send.");

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }

    private sealed class DisposalTrackingContent(Exception? openFailure = null) : HttpContent
    {
        public bool Disposed { get; private set; }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => Task.CompletedTask;

        protected override Task<Stream> CreateContentReadStreamAsync() =>
            openFailure is null ? Task.FromResult<Stream>(new MemoryStream()) : Task.FromException<Stream>(openFailure);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
