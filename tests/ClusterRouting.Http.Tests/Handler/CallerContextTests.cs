using System.Net;
using System.Text;
using ClusterRouting.Http.Tests.TestSupport;

namespace ClusterRouting.Http.Tests.Handler;

/// <summary>
/// A caller with a SynchronizationContext (a UI thread, a classic ASP.NET request) gets nothing posted to it by the
/// handler: every await on the way (the member's answer, the failover, a refusal's body) continues on the pool. Each
/// test makes a different await the first that has to wait, since only that one sees the caller's context.
/// </summary>
public sealed class CallerContextTests
{
    private static readonly string[] Two = ["gw-1", "gw-2"];
    private readonly RecordingContext _caller = new();
    private readonly Gate _gate = new();

    private static HttpResponseMessage Text(string text, HttpStatusCode status = HttpStatusCode.OK) => new(status) { Content = new StringContent(text) };

    private static async Task<string> BodyOf(Task<HttpResponseMessage> send)
    {
        using HttpResponseMessage response = await send;
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task MemberAnsweringLater_OnTheFastPath_PostsNothingToTheCallersContext()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        using var invoker = Invoker(cluster, new GatedMembers(_gate).Later("gw-1", _ => Text("one")));

        string body = await BodyOf(_caller.RunAsync(_gate, () => invoker.SendAsync(Get(), CancellationToken.None)));

        Assert.Equal("one", body);
        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task FailoverToAMemberAnsweringLater_PostsNothingToTheCallersContext()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var members = new GatedMembers(_gate)
            .AtOnce("gw-1", _ => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"))
            .Later("gw-2", _ => Text("two"));
        using var invoker = Invoker(cluster, members);

        string body = await BodyOf(_caller.RunAsync(_gate, () => invoker.SendAsync(Get(), CancellationToken.None)));

        Assert.Equal("two", body);
        Assert.Equal(["gw-1", "gw-2"], members.Sent);
        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task RefusalWhoseBodyArrivesLater_PostsNothingToTheCallersContext()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var members = new GatedMembers(_gate)
            .AtOnce("gw-1", _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            {
                Content = new StreamContent(new GatedStream(Encoding.UTF8.GetBytes(GatewayMessages.Memory), readGate: _gate)),
            })
            .AtOnce("gw-2", _ => Text("two"));
        using var invoker = Invoker(cluster, members);

        string body = await BodyOf(_caller.RunAsync(_gate, () => invoker.SendAsync(Get(), CancellationToken.None)));

        Assert.Equal("two", body);
        Assert.Equal(MemberRejectionReason.MemoryLimit, cluster.GetStatus().Members[0].Throttle);
        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task RefusalWhoseStreamOpensLater_WithAnAttemptTimeout_PostsNothingToTheCallersContext()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var members = new GatedMembers(_gate)
            .AtOnce("gw-1", _ => new HttpResponseMessage(HttpStatusCode.TooManyRequests)
            {
                Content = new GatedContent(Encoding.UTF8.GetBytes(GatewayMessages.Cpu), openGate: _gate),
            })
            .AtOnce("gw-2", _ => Text("two"));
        using var invoker = Invoker(cluster, members, new ClusterRoutingHandlerOptions { AttemptTimeout = TimeSpan.FromMinutes(1) });

        string body = await BodyOf(_caller.RunAsync(_gate, () => invoker.SendAsync(Get(), CancellationToken.None)));

        Assert.Equal("two", body);
        Assert.Equal(MemberRejectionReason.CpuLimit, cluster.GetStatus().Members[0].Throttle);
        Assert.Equal(0, _caller.Calls);
    }

    private static HttpRequestMessage Get() => new(HttpMethod.Get, "http://refresh/q");

    private static HttpMessageInvoker Invoker(ClusterSelector cluster, HttpMessageHandler members, ClusterRoutingHandlerOptions? options = null) =>
        new(new ClusterRoutingHandler(cluster, options) { InnerHandler = members });

    /// <summary>
    /// Members reached at <c>http://{member}.test/</c> that answer at once (a completed task, or a failed one) or once
    /// the gate opens; unlike <see cref="StubMembers"/>, nothing here awaits on the caller's context.
    /// </summary>
    private sealed class GatedMembers(Gate gate) : HttpMessageHandler
    {
        private readonly Dictionary<string, (bool Later, Func<HttpRequestMessage, HttpResponseMessage> Answer)> _members = [];

        public List<string> Sent { get; } = [];

        public GatedMembers AtOnce(string memberId, Func<HttpRequestMessage, HttpResponseMessage> answer)
        {
            _members[memberId] = (false, answer);
            return this;
        }

        public GatedMembers Later(string memberId, Func<HttpRequestMessage, HttpResponseMessage> answer)
        {
            _members[memberId] = (true, answer);
            return this;
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string member = request.RequestUri!.Host[..^".test".Length];
            Sent.Add(member);
            (bool later, Func<HttpRequestMessage, HttpResponseMessage> answer) = _members[member];
            if (!later)
            {
                try
                {
                    return Task.FromResult(answer(request));
                }
                catch (Exception ex)
                {
                    return Task.FromException<HttpResponseMessage>(ex);
                }
            }

            return AnswerLaterAsync(request, answer, cancellationToken);
        }

        private async Task<HttpResponseMessage> AnswerLaterAsync(HttpRequestMessage request, Func<HttpRequestMessage, HttpResponseMessage> answer, CancellationToken cancellationToken)
        {
            await gate.PassAsync(cancellationToken).ConfigureAwait(false);
            return answer(request);
        }
    }
}
