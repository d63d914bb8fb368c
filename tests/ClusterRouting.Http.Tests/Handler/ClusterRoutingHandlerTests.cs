using ClusterRouting.Testing;
using System.Net;
using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Http.Tests.Handler;

/// <summary>The handler's decisions, against members answered in memory (the loopback tests check them on real sockets).</summary>
public class ClusterRoutingHandlerTests
{
    private static readonly string[] Three = ["gw-1", "gw-2", "gw-3"];

    private static HttpClient Client(ClusterSelector cluster, StubMembers members, ClusterRoutingHandlerOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null) =>
        new(new ClusterRoutingHandler(cluster, options, logger, timeProvider) { InnerHandler = members }) { BaseAddress = new Uri($"http://{cluster.ClusterName}/") };

    private static HttpResponseMessage Text(string text, HttpStatusCode status = HttpStatusCode.OK) => new(status) { Content = new StringContent(text) };

    private static HttpResponseMessage Refusal(string? sentence, string? retryAfter = null, string? limitHeader = null, HttpStatusCode status = HttpStatusCode.ServiceUnavailable)
    {
        HttpResponseMessage response = Text(sentence ?? string.Empty, status);
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        if (limitHeader is not null)
        {
            response.Headers.TryAddWithoutValidation("ClusterRouting-Limit", limitHeader);
        }

        return response;
    }

    [Fact]
    public async Task SendAsync_RequestForTheCluster_GoesToTheSelectedMembersAddressWithPathAndQuery()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers().On("gw-1", _ => Text("one"));
        using HttpClient client = Client(cluster, members);

        string answer = await client.GetStringAsync("/query?x=1");

        Assert.Equal("one", answer);
        Assert.Equal("http://gw-1.test/query?x=1", members.Received.Single().Target.AbsoluteUri);
    }

    [Fact]
    public async Task SendAsync_AfterTheRequest_RequestUriAddressesTheClusterAgain()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers().On("gw-1", _ => Text("one"));
        using HttpClient client = Client(cluster, members);
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://refresh/query");

        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal("http://refresh/query", request.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public async Task SendAsync_ConnectionNeverEstablished_ReportsOfflineAndFailsOverEvenForPost()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers().On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members);

        using HttpResponseMessage response = await client.PostAsync("/refresh", new StringContent("body"));

        Assert.Equal("two", await response.Content.ReadAsStringAsync());
        Assert.Equal(["gw-1", "gw-2"], members.Received.Select(r => r.Member));
        Assert.Equal("body", members.Received[1].Body);
        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Equal(1, primary.ConsecutiveOfflineResults);
        Assert.Equal(MemberHealth.Penalized, primary.Health);
    }

    [Fact]
    public async Task SendAsync_PostFailingAfterTheConnection_IsNotSentAgainAndSaysWhy()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers()
            .On("gw-1", _ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."))
            .On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members);

        var error = await Assert.ThrowsAsync<RequestNotReplayableException>(() => client.PostAsync("/refresh", new StringContent("body")));

        Assert.Single(members.Received);
        Assert.Equal("refresh", error.ClusterName);
        Assert.Contains("POST is not idempotent", error.Reason, StringComparison.Ordinal);
        MemberAttempt attempt = Assert.Single(error.Attempts);
        Assert.Equal(("gw-1", AttemptOutcome.Offline), (attempt.MemberId, attempt.Outcome));
        Assert.IsType<HttpRequestException>(error.InnerException);
        Assert.Equal(0, Members.TotalInFlight(cluster));
    }

    [Fact]
    public async Task SendAsync_GetFailingAfterTheConnection_FailsOver()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers()
            .On("gw-1", _ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."))
            .On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members);

        Assert.Equal("two", await client.GetStringAsync("/q"));
    }

    [Fact]
    public async Task SendAsync_ContentFactory_SendsAFreshContentOnEachAttemptAndReplaysAPost()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers()
            .On("gw-1", _ => throw new HttpRequestException(HttpRequestError.Unknown, "reset"))
            .On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members);
        int created = 0;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/upload");
        request.SetContentFactory(() => new StreamContent(new NonSeekableStream([(byte)'a', (byte)(created++ + '0')])));

        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal("two", await response.Content.ReadAsStringAsync());
        Assert.Equal(2, created);
        Assert.Equal(["a0", "a1"], members.Received.Select(r => r.Body));
    }

    [Fact]
    public async Task SendAsync_ContentFactoryOfABufferedBody_LetsAPostRunAgainAfterAFailureMidWay()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers()
            .On("gw-1", _ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."))
            .On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/refresh");
        request.SetContentFactory(() => new StringContent("dataset 7"));

        using HttpResponseMessage response = await client.SendAsync(request);

        Assert.Equal("two", await response.Content.ReadAsStringAsync());
        Assert.Equal(["dataset 7", "dataset 7"], members.Received.Select(r => r.Body));
    }

    [Fact]
    public async Task SendAsync_ContentFactory_AnOuterSendOfTheSameRequestGetsAFreshContent()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers().On("gw-1", _ => Text("one"));
        var handler = new ClusterRoutingHandler(cluster) { InnerHandler = members };
        using var invoker = new HttpMessageInvoker(handler);
        int created = 0;
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://refresh/upload");
        request.SetContentFactory(() => new StreamContent(new NonSeekableStream([(byte)(created++ + '0')])));

        (await invoker.SendAsync(request, CancellationToken.None)).Dispose();
        (await invoker.SendAsync(request, CancellationToken.None)).Dispose();

        Assert.Equal(["0", "1"], members.Received.Select(r => r.Body));
    }

    [Fact]
    public async Task SendAsync_StreamContentRefused_IsNotSentTwice()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers()
            .On("gw-1", _ => Refusal(GatewayMessages.Cpu, "2"))
            .On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members);

        var error = await Assert.ThrowsAsync<RequestNotReplayableException>(() => client.PostAsync("/upload", new StreamContent(new NonSeekableStream([1, 2, 3]))));

        Assert.Single(members.Received);
        Assert.Contains("StreamContent", error.Reason, StringComparison.Ordinal);
        MemberAttempt attempt = Assert.Single(error.Attempts);
        Assert.Equal(AttemptOutcome.Refused, attempt.Outcome);
        var refused = Assert.IsType<MemberRefusedException>(attempt.Exception);
        Assert.Equal((ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(2)), (refused.Limit, refused.RetryAfter));
    }

    [Fact]
    public async Task SendAsync_MemberWithoutAddress_ThrowsTheTypedErrorNamingClusterAndMemberAndFreesTheSlot()
    {
        using var cluster = new ClusterSelector("refresh", new ClusterOptions { Members = { new("gw-1") { Address = null }, new("gw-2") { Address = StubMembers.AddressOf("gw-2") } } });
        var members = new StubMembers().On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members);

        var error = await Assert.ThrowsAsync<MemberAddressMissingException>(() => client.GetStringAsync("/q"));

        Assert.Equal(("refresh", "gw-1"), (error.ClusterName, error.MemberId));
        Assert.Contains("'gw-1'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'refresh'", error.Message, StringComparison.Ordinal);
        Assert.Empty(members.Received);
        Assert.Equal(0, Members.TotalInFlight(cluster));
        Assert.Equal(0, cluster.GetStatus().Members[0].ConsecutiveOfflineResults);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable, "cpu", null, "3", ThrottleLimitKind.Cpu, 3)]
    [InlineData(HttpStatusCode.ServiceUnavailable, null, GatewayMessages.Memory, null, ThrottleLimitKind.Memory, null)]
    [InlineData(HttpStatusCode.TooManyRequests, null, null, "5", ThrottleLimitKind.Concurrency, 5)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "memory", GatewayMessages.Cpu, "1", ThrottleLimitKind.Memory, 1)]
    [InlineData(HttpStatusCode.TooManyRequests, null, GatewayMessages.Concurrency, "4", ThrottleLimitKind.Concurrency, 4)]
    public async Task SendAsync_Refusal_ReportsTheLimitAndCoolDownAndFailsOver(HttpStatusCode status, string? header, string? sentence, string? retryAfter, ThrottleLimitKind limit, int? coolDownSeconds)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three, timeProvider: time);
        var members = new StubMembers()
            .On("gw-1", _ => Refusal(sentence, retryAfter, header, status))
            .On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members);

        Assert.Equal("two", await client.GetStringAsync("/q"));

        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Equal(limit switch { ThrottleLimitKind.Cpu => MemberRejectionReason.CpuLimit, ThrottleLimitKind.Memory => MemberRejectionReason.MemoryLimit, _ => MemberRejectionReason.ConcurrencyLimit }, primary.Throttle);
        Assert.Equal(coolDownSeconds is int s ? TimeSpan.FromSeconds(s) : new ClusterOptions().MemberRefusalCoolDown, primary.ThrottleRetryAfter);
        Assert.Equal(0, primary.ConsecutiveOfflineResults);
    }

    [Fact]
    public async Task SendAsync_RetryAfterDate_CoolDownMeasuredOnTheHandlersClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three, timeProvider: time);
        var members = new StubMembers()
            .On("gw-1", _ => Refusal(GatewayMessages.Cpu, "Sun, 01 Mar 2026 12:00:40 GMT"))
            .On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members, timeProvider: time);

        await client.GetStringAsync("/q");

        Assert.Equal(TimeSpan.FromSeconds(40), cluster.GetStatus().Members[0].ThrottleRetryAfter);
    }

    [Fact]
    public async Task SendAsync_ServiceUnavailableWithoutRefusalMarkers_IsTheAnswerWithItsWholeBody()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        string body = "maintenance " + new string('x', 10_000);
        var members = new StubMembers().On("gw-1", _ => Text(body, HttpStatusCode.ServiceUnavailable));
        using HttpClient client = Client(cluster, members, new ClusterRoutingHandlerOptions { MaxRefusalBodyBytes = 100 });

        using HttpResponseMessage response = await client.GetAsync("/q");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Single(members.Received);
        Assert.Equal(MemberRejectionReason.None, cluster.GetStatus().Members[0].Throttle);
    }

    [Fact]
    public async Task SendAsync_SentenceBeyondTheBodyBound_IsNotARefusal()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        string body = new string(' ', 300) + GatewayMessages.Cpu;
        var members = new StubMembers().On("gw-1", _ => Text(body, HttpStatusCode.ServiceUnavailable));
        using HttpClient client = Client(cluster, members, new ClusterRoutingHandlerOptions { MaxRefusalBodyBytes = 256 });

        using HttpResponseMessage response = await client.GetAsync("/q");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SendAsync_AnswerAfterAPenalty_RestoresTheMember()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three, timeProvider: time);
        bool down = true;
        var members = new StubMembers()
            .On("gw-1", _ => down ? throw new HttpRequestException(HttpRequestError.ConnectionError, "refused") : Text("one"))
            .On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members);
        Assert.Equal("two", await client.GetStringAsync("/q"));

        down = false;
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("one", await client.GetStringAsync("/q"));

        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Equal((MemberHealth.Online, 0), (primary.Health, primary.ConsecutiveOfflineResults));
    }

    [Fact]
    public async Task SendAsync_EveryMemberThrottled_ThrowsClusterThrottledWithTheSentenceAndRetryAfter()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        foreach (string id in Three)
        {
            cluster.ReportRefusal(id, ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(9));
        }

        var members = new StubMembers();
        using HttpClient client = Client(cluster, members);

        var error = await Assert.ThrowsAsync<ClusterThrottledException>(() => client.GetStringAsync("/q"));

        Assert.Equal(GatewayMessages.Cpu, error.Message);
        Assert.Equal(ThrottleLimitKind.Cpu, error.Limit);
        Assert.NotNull(error.RetryAfter);
        Assert.True(error.RetryAfter <= TimeSpan.FromSeconds(9));
        Assert.Empty(members.Received);
    }

    [Fact]
    public async Task SendAsync_EveryMemberRefusing_ThrowsAllMembersFailedListingEachOnce()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three, timeProvider: new FakeTimeProvider(DateTimeOffset.UnixEpoch));
        var members = new StubMembers()
            .On("gw-1", _ => Refusal(GatewayMessages.Cpu, "2"))
            .On("gw-2", _ => Refusal(GatewayMessages.Memory, "2"))
            .On("gw-3", _ => Refusal(null, "2", "concurrency"));
        using HttpClient client = Client(cluster, members);

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(() => client.GetStringAsync("/q"));

        Assert.Equal(["gw-1", "gw-2", "gw-3"], error.Attempts.Select(a => a.MemberId));
        Assert.All(error.Attempts, a => Assert.Equal(AttemptOutcome.Refused, a.Outcome));
        Assert.Equal([ThrottleLimitKind.Cpu, ThrottleLimitKind.Memory, ThrottleLimitKind.Concurrency], error.Attempts.Select(a => ((MemberRefusedException)a.Exception).Limit));

        // The next request finds every member refused: the cluster is throttled, with the documented sentence.
        var next = await Assert.ThrowsAsync<ClusterThrottledException>(() => client.GetStringAsync("/q"));
        Assert.Equal(GatewayMessages.Cpu, next.Message);
        Assert.Equal(TimeSpan.FromSeconds(2), next.RetryAfter);
    }

    [Fact]
    public async Task SendAsync_ExceptionThatIsNotTheMembers_PropagatesUnchangedWithoutPenaltyOrFailover()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers()
            .On("gw-1", _ => throw new HttpRequestException(HttpRequestError.ConfigurationLimitExceeded, "headers too large"))
            .On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetStringAsync("/q"));

        Assert.Equal(HttpRequestError.ConfigurationLimitExceeded, error.HttpRequestError);
        Assert.Single(members.Received);
        Assert.Equal(0, cluster.GetStatus().Members[0].ConsecutiveOfflineResults);
        Assert.Equal(0, Members.TotalInFlight(cluster));
    }

    [Fact]
    public async Task SendAsync_CallerCancelsDuringAnAttempt_ThrowsOperationCanceledAndPenalizesNobody()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var started = new TaskCompletionSource();
        var members = new StubMembers().On("gw-1", async (_, token) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, token);
            return Text("never");
        });
        using HttpClient client = Client(cluster, members);
        using var cancel = new CancellationTokenSource();

        Task<string> request = client.GetStringAsync("/q", cancel.Token);
        await started.Task.WaitAsync(Members.Timeout);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => request.WaitAsync(Members.Timeout));
        Assert.Single(members.Received);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal((0, 0), (m.ConsecutiveOfflineResults, m.InFlight)));
    }

    [Fact]
    public async Task SendAsync_CallerCancelsWhileTheMemberFails_ThrowsOperationCanceledNotTheMembersError()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        using var cancel = new CancellationTokenSource();
        var members = new StubMembers().On("gw-1", _ =>
        {
            cancel.Cancel();
            throw new HttpRequestException(HttpRequestError.ConnectionError, "refused");
        });
        using HttpClient client = Client(cluster, members);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetStringAsync("/q", cancel.Token));

        Assert.Single(members.Received);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.ConsecutiveOfflineResults));
    }

    [Fact]
    public async Task SendAsync_AttemptTimeoutElapses_ReportsOfflineAndFailsOver()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three, timeProvider: time);
        var hanging = new TaskCompletionSource();
        var members = new StubMembers()
            .On("gw-1", async (_, token) =>
            {
                hanging.SetResult();
                await Task.Delay(Timeout.Infinite, token);
                return Text("never");
            })
            .On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members, new ClusterRoutingHandlerOptions { AttemptTimeout = TimeSpan.FromSeconds(3) }, timeProvider: time);

        Task<string> request = client.GetStringAsync("/q");
        await hanging.Task.WaitAsync(Members.Timeout);
        time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal("two", await request.WaitAsync(Members.Timeout));
        Assert.Equal(1, cluster.GetStatus().Members[0].ConsecutiveOfflineResults);
    }

    [Fact]
    public void Send_Synchronous_RoutesAndFailsOverLikeSendAsync()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers()
            .On("gw-2", _ => Refusal(GatewayMessages.Concurrency, "1"))
            .On("gw-3", _ => Text("three"));
        using HttpClient client = Client(cluster, members);

        using HttpResponseMessage response = client.Send(new HttpRequestMessage(HttpMethod.Get, "/q"));

        using var reader = new StreamReader(response.Content.ReadAsStream());
        Assert.Equal("three", reader.ReadToEnd());
        Assert.Equal(["gw-1", "gw-2", "gw-3"], members.Received.Select(r => r.Member));
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, cluster.GetStatus().Members[1].Throttle);
    }

    [Fact]
    public async Task SendAsync_LogEvents_HaveStableIdsFrom100()
    {
        var logger = new FakeLogger();
        using (ClusterSelector cluster = StubMembers.Cluster("a", Three))
        {
            var members = new StubMembers().On("gw-2", _ => Refusal(GatewayMessages.Cpu, "1")).On("gw-3", _ => Text("three"));
            using HttpClient client = Client(cluster, members, logger: logger);
            await client.GetStringAsync("/q");
        }

        using (ClusterSelector cluster = StubMembers.Cluster("b", Three))
        {
            var members = new StubMembers().On("gw-1", _ => Refusal(GatewayMessages.Cpu, "1"));
            using HttpClient client = Client(cluster, members, logger: logger);
            await Assert.ThrowsAsync<RequestNotReplayableException>(() => client.PostAsync("/q", new StreamContent(new NonSeekableStream([1]))));
        }

        using (ClusterSelector cluster = StubMembers.Cluster("c", Three))
        {
            cluster.SetMemberEnabled("gw-1", false);
            cluster.SetMemberEnabled("gw-2", false);
            cluster.SetMemberEnabled("gw-3", false);
            using HttpClient client = Client(cluster, new StubMembers(), logger: logger);
            await Assert.ThrowsAsync<NoMemberAvailableException>(() => client.GetStringAsync("/q"));
        }

        using (ClusterSelector cluster = StubMembers.Cluster("d", Three))
        {
            using HttpClient client = Client(cluster, new StubMembers(), logger: logger);
            await Assert.ThrowsAsync<AllMembersFailedException>(() => client.GetStringAsync("/q"));
        }

        using (var cluster = new ClusterSelector("e", new ClusterOptions { Members = { new("gw-1") } }))
        {
            using HttpClient client = Client(cluster, new StubMembers(), logger: logger);
            await Assert.ThrowsAsync<MemberAddressMissingException>(() => client.GetStringAsync("/q"));
        }

        var events = logger.Collector.GetSnapshot().Select(r => (r.Id.Id, r.Id.Name)).Distinct().Order().ToArray();
        Assert.Equal(
            [(100, "RequestRouted"), (101, "MemberUnreachable"), (102, "MemberRefusedRequest"), (103, "RequestNotReplayed"), (104, "NoMemberAvailable"), (105, "AllMembersFailed"), (107, "MemberAddressMissing")],
            events);
    }

    [Fact]
    public async Task SendAsync_LoggerThrows_EveryRequestEndsAsItWouldWithoutIt()
    {
        // Found by the soak: a logger that threw (event 100 before the send, 101 or 102 after a failed attempt, 104
        // or 105 when no member was left) ended the request with the logger's exception instead of the answer, the
        // failover or the library's typed error.
        var logger = new ThrowingLogger();
        using (ClusterSelector cluster = StubMembers.Cluster("answer", Three))
        {
            using HttpClient client = Client(cluster, new StubMembers().On("gw-1", _ => Text("one")), logger: logger);
            Assert.Equal("one", await client.GetStringAsync("/q"));
            Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
        }

        using (ClusterSelector cluster = StubMembers.Cluster("failover", Three))
        {
            var members = new StubMembers().On("gw-1", _ => Refusal(GatewayMessages.Cpu, "1")).On("gw-3", _ => Text("three"));
            using HttpClient client = Client(cluster, members, logger: logger);
            Assert.Equal("three", await client.GetStringAsync("/q")); // gw-1 refused, gw-2 unreachable
            Assert.Equal(["gw-1", "gw-2", "gw-3"], members.Received.Select(r => r.Member));
            Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
        }

        using (ClusterSelector cluster = StubMembers.Cluster("none", Three))
        {
            foreach (string id in Three)
            {
                cluster.SetMemberEnabled(id, false);
            }

            using HttpClient client = Client(cluster, new StubMembers(), logger: logger);
            await Assert.ThrowsAsync<NoMemberAvailableException>(() => client.GetStringAsync("/q"));
        }

        using (ClusterSelector cluster = StubMembers.Cluster("down", Three))
        {
            using HttpClient client = Client(cluster, new StubMembers(), logger: logger);
            await Assert.ThrowsAsync<AllMembersFailedException>(() => client.GetStringAsync("/q"));
            Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
        }

        Assert.True(logger.Calls > 0);
    }

    [Fact]
    public async Task SendAsync_ClusterDisposedWhileTheRequestRuns_StillReturnsTheAnswer()
    {
        ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var answer = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var members = new StubMembers().On("gw-1", (_, _) => answer.Task);
        using HttpClient client = Client(cluster, members);

        Task<HttpResponseMessage> request = client.GetAsync("/q", HttpCompletionOption.ResponseHeadersRead);
        await Members.WaitUntilAsync(() => members.Received.Count == 1, "the request reached gw-1");
        cluster.Dispose();
        answer.SetResult(Text("one"));

        using HttpResponseMessage response = await request.WaitAsync(Members.Timeout);
        Assert.Equal("one", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void Constructor_InvalidOptions_ListsEveryProblem()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);

        var error = Assert.Throws<ArgumentException>(() => new ClusterRoutingHandler(cluster, new ClusterRoutingHandlerOptions
        {
            MaxRefusalBodyBytes = -1,
            AttemptTimeout = TimeSpan.Zero,
            MaxRefusalCoolDown = TimeSpan.FromSeconds(-1),
        }));

        Assert.Equal("options", error.ParamName);
        Assert.Contains("MaxRefusalBodyBytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("AttemptTimeout", error.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRefusalCoolDown", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullCluster_Throws()
    {
        Assert.Throws<ArgumentNullException>("cluster", () => new ClusterRoutingHandler(null!));
    }
}
