using System.Net;
using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Http.Tests.Diagnostics;

/// <summary>What each of the handler's log events says, and at which level: an operator reads them to learn which member did what.</summary>
public sealed class HandlerLogEventsTests
{
    private static readonly string[] Three = ["gw-1", "gw-2", "gw-3"];
    private readonly FakeLogger _logger = new();

    private HttpClient Client(ClusterSelector cluster, HttpMessageHandler members, ClusterRoutingHandlerOptions? options = null, TimeProvider? timeProvider = null) =>
        new(new ClusterRoutingHandler(cluster, options, _logger, timeProvider) { InnerHandler = members }) { BaseAddress = new Uri($"http://{cluster.ClusterName}/") };

    private (LogLevel Level, int Id, string Message)[] Events() =>
        _logger.Collector.GetSnapshot().Select(r => (r.Level, r.Id.Id, r.Message)).ToArray();

    private static HttpResponseMessage Text(string text) => new(HttpStatusCode.OK) { Content = new StringContent(text) };

    [Fact]
    public async Task Failover_EachAttemptIsNumbered_AndEachMembersFailureSaysWhatItWas()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers()
            .On("gw-2", _ =>
            {
                var refusal = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent(string.Empty) };
                refusal.Headers.TryAddWithoutValidation("Retry-After", "2");
                refusal.Headers.TryAddWithoutValidation("ClusterRouting-Limit", "cpu");
                return refusal;
            })
            .On("gw-3", _ => Text("three"));
        using HttpClient client = Client(cluster, members);

        Assert.Equal("three", await client.GetStringAsync("/q?x=1"));

        Assert.Equal(
            [
                (LogLevel.Debug, 100, "Sending GET request 1 for cluster refresh to member gw-1 at http://gw-1.test/q?x=1 (probe: False)."),
                (LogLevel.Warning, 101, "Member gw-1 of cluster refresh failed the request (ConnectionError, not connected): it is reported offline."),
                (LogLevel.Debug, 100, "Sending GET request 2 for cluster refresh to member gw-2 at http://gw-2.test/q?x=1 (probe: False)."),
                (LogLevel.Information, 102, "Member gw-2 of cluster refresh refused the request with status ServiceUnavailable for its Cpu limit; it is routed around for 00:00:02 (empty: the cluster's cool-down)."),
                (LogLevel.Debug, 100, "Sending GET request 3 for cluster refresh to member gw-3 at http://gw-3.test/q?x=1 (probe: False)."),
            ],
            Events());
        FakeLogRecord unreachable = _logger.Collector.GetSnapshot().Single(r => r.Id.Id == 101);
        Assert.Equal(HttpRequestError.ConnectionError, Assert.IsType<HttpRequestException>(unreachable.Exception).HttpRequestError);
    }

    [Fact]
    public async Task EveryMemberFailingAfterTheConnection_SaysHowEachFailed_AndHowManyWereTried()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers();
        foreach (string id in Three)
        {
            members.On(id, _ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "ended"));
        }

        using HttpClient client = Client(cluster, members);

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(() => client.GetStringAsync("/q"));

        Assert.Equal(3, error.Attempts.Count);
        Assert.Equal(
            Three.Select(id => $"Member {id} of cluster refresh failed the request (ResponseEnded): it is reported offline.").Append("Every member of cluster refresh that the request was tried on failed (3 attempts)."),
            Events().Where(e => e.Id != 100).Select(e => e.Message));
        Assert.Equal((LogLevel.Warning, 105), Events().Select(e => (e.Level, e.Id)).Last());
    }

    [Fact]
    public async Task APostThatMayHaveBeenProcessed_SaysWhyItWasNotSentAgain()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers().On("gw-1", _ => throw new HttpRequestException(HttpRequestError.ResponseEnded, "ended"));
        using HttpClient client = Client(cluster, members);

        var error = await Assert.ThrowsAsync<RequestNotReplayableException>(() => client.PostAsync("/q", new StringContent("body")));

        const string Reason = "member 'gw-1' may have processed it and POST is not idempotent";
        Assert.Equal(Reason, error.Reason);
        Assert.Equal((LogLevel.Warning, 103, $"The request to cluster refresh failed on member gw-1 and was not sent to another member: {Reason}."), Events().Last());
    }

    [Fact]
    public async Task ABodyThatCannotBeSentAgain_SaysSoAndHowToMakeItReCreatable()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var members = new StubMembers().On("gw-1", _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"));
        using HttpClient client = Client(cluster, members);

        var error = await Assert.ThrowsAsync<RequestNotReplayableException>(() => client.PutAsync("/q", new StreamContent(new NonSeekableStream([1]))));

        Assert.Equal("its body (StreamContent) cannot be sent again; set a content factory (SetContentFactory) to make it re-creatable", error.Reason);
        Assert.Equal(103, Events().Last().Id);
    }

    [Fact]
    public async Task NoMemberAvailable_SaysWhy()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        foreach (string id in Three)
        {
            cluster.SetMemberEnabled(id, false);
        }

        using HttpClient client = Client(cluster, new StubMembers());

        var error = await Assert.ThrowsAsync<NoMemberAvailableException>(() => client.GetStringAsync("/q"));

        Assert.Equal([(LogLevel.Warning, 104, $"No member of cluster refresh can take the request: {error.Message}")], Events());
    }

    [Fact]
    public async Task AMemberWithoutAddress_IsAnError()
    {
        using var cluster = new ClusterSelector("refresh", new ClusterOptions { Members = { new("gw-1") } });
        using HttpClient client = Client(cluster, new StubMembers());

        await Assert.ThrowsAsync<MemberAddressMissingException>(() => client.GetStringAsync("/q"));

        Assert.Equal([(LogLevel.Error, 107, "Member gw-1 of cluster refresh has no address: the request was not sent.")], Events());
    }

    [Fact]
    public async Task AnAttemptTimeout_IsLoggedAsSuch_AndItsErrorSaysWhichMemberAndHowLong()
    {
        var time = new FakeTimeProvider();
        using ClusterSelector cluster = StubMembers.Cluster("refresh", ["gw-1"], timeProvider: time);
        var members = new StubMembers().On("gw-1", async (_, token) =>
        {
            await Task.Delay(Timeout.Infinite, token);
            return Text("never");
        });
        using HttpClient client = Client(cluster, members, new ClusterRoutingHandlerOptions { AttemptTimeout = TimeSpan.FromSeconds(3) }, time);

        Task<string> request = client.GetStringAsync("/q");
        await Members.WaitUntilAsync(() => members.Received.Count == 1, "the attempt is sent");
        time.Advance(TimeSpan.FromSeconds(3));
        var error = await Assert.ThrowsAsync<AllMembersFailedException>(() => request.WaitAsync(Members.Timeout));

        var timeout = Assert.IsType<TimeoutException>(Assert.Single(error.Attempts).Exception);
        Assert.Equal("Member 'gw-1' of cluster 'refresh' did not answer within the attempt timeout of 00:00:03.", timeout.Message);
        Assert.IsAssignableFrom<OperationCanceledException>(timeout.InnerException);
        Assert.Contains((LogLevel.Warning, 101, "Member gw-1 of cluster refresh failed the request (attempt timeout): it is reported offline."), Events());
    }

    [Fact]
    public async Task ABodyThatBreaks_IsLoggedWithTheMembersFailure_AndTheMemberReportedOffline()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Three);
        var failure = new HttpIOException(HttpRequestError.ResponseEnded, "premature end");
        var members = new StubMembers().On("gw-1", _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new FailingStream(failure)) });
        using HttpClient client = Client(cluster, members);
        using HttpResponseMessage response = await client.GetAsync("/q", HttpCompletionOption.ResponseHeadersRead);
        Stream body = await response.Content.ReadAsStreamAsync();

        await Assert.ThrowsAsync<HttpIOException>(() => body.ReadAsync(new byte[8]).AsTask());

        FakeLogRecord failed = _logger.Collector.GetSnapshot().Single(r => r.Id.Id == 106);
        Assert.Equal((LogLevel.Warning, "Reading the response body from member gw-1 of cluster refresh failed: it is reported offline."), (failed.Level, failed.Message));
        Assert.Same(failure, failed.Exception);
        Assert.Equal(1, cluster.GetStatus().Members[0].ConsecutiveOfflineResults);
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
