using System.Net;
using System.Text;
using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Http.Tests.Probing;

/// <summary>
/// A probe loop started from a thread with a SynchronizationContext posts nothing to it: the waits between probes and
/// every await of a probe (the answer, its body, its stream's disposal) continue on the pool. Each test makes a
/// different await the first that has to wait, since only that one sees the starter's context.
/// </summary>
public sealed class CallerContextTests : IDisposable
{
    private const string Health = """{"id":"gw-1","version":"3000.7","online":true,"cpuPercent":10,"memoryPercent":20}""";
    private static readonly Uri Address = new("http://gw-1.test/");
    private readonly FakeTimeProvider _time = new();
    private readonly HealthProbingOptions _options = new() { Interval = TimeSpan.FromSeconds(5), Jitter = 0 };
    private readonly ClusterSelector _cluster;
    private readonly RecordingContext _caller = new();
    private readonly Gate _gate = new();
    private readonly CancellationTokenSource _stop = new();

    public CallerContextTests()
    {
        _cluster = new ClusterSelector("probed", new ClusterOptions { Members = { new("gw-1") { Address = Address } } }, _time);
    }

    public void Dispose()
    {
        _stop.Dispose();
        _cluster.Dispose();
    }

    private string? Version => _cluster.GetStatus().Members[0].Version;

    [Fact]
    public async Task FirstWait_PostsNothingToTheStartersContext()
    {
        var member = new HealthEndpoint(() => Json(Health));
        Task run = _caller.Start(() => Loop(member).RunAsync(TimeSpan.FromSeconds(1), _stop.Token));
        Assert.False(run.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Members.WaitUntilAsync(() => Version == "3000.7", "the first probe is reported");
        await StopAsync(run);

        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task ProbeAnsweredLater_PostsNothingToTheStartersContext()
    {
        var member = new HealthEndpoint(() => Json(Health), _gate);
        Task run = _caller.Start(() => Loop(member).RunAsync(TimeSpan.Zero, _stop.Token));
        Assert.False(run.IsCompleted);

        _gate.Open();
        await Members.WaitUntilAsync(() => Version == "3000.7", "the first probe is reported");
        await StopAsync(run);

        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task WaitAfterAProbe_PostsNothingToTheStartersContext()
    {
        var member = new HealthEndpoint(() => Json(Health));
        Task run = _caller.Start(() => Loop(member).RunAsync(TimeSpan.Zero, _stop.Token));
        Assert.Equal(1, member.Probes);

        _time.Advance(_options.Interval);
        await Members.WaitUntilAsync(() => member.Probes == 2, "the second probe is sent");
        await StopAsync(run);

        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task AnswerWhoseBodyArrivesLater_PostsNothingToTheCallersContext()
    {
        var member = new HealthEndpoint(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new GatedStream(Encoding.UTF8.GetBytes(Health), readGate: _gate)) });

        ProbeOutcome outcome = await _caller.RunAsync(_gate, () => Prober(member).ProbeAsync(Address, CancellationToken.None));

        Assert.Equal("3000.7", outcome.Answer?.Version);
        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task AnswerWhoseStreamOpensLater_PostsNothingToTheCallersContext()
    {
        var member = new HealthEndpoint(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new GatedContent(Encoding.UTF8.GetBytes(Health), openGate: _gate) });

        ProbeOutcome outcome = await _caller.RunAsync(_gate, () => Prober(member).ProbeAsync(Address, CancellationToken.None));

        Assert.Equal("3000.7", outcome.Answer?.Version);
        Assert.Equal(0, _caller.Calls);
    }

    [Fact]
    public async Task AnswerWhoseStreamDisposalWaits_PostsNothingToTheCallersContext()
    {
        byte[] health = Encoding.UTF8.GetBytes(Health);
        var stream = new GatedStream(health, disposeGate: _gate);
        var member = new HealthEndpoint(() => new HttpResponseMessage(HttpStatusCode.OK) { Content = new GatedContent(health, stream: stream) });

        ProbeOutcome outcome = await _caller.RunAsync(_gate, () => Prober(member).ProbeAsync(Address, CancellationToken.None));

        Assert.Equal("3000.7", outcome.Answer?.Version);
        Assert.True(stream.Disposed);
        Assert.Equal(0, _caller.Calls);
    }

    private static HttpResponseMessage Json(string json) => new(HttpStatusCode.OK) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private MemberProber Prober(HealthEndpoint member) => new(() => new HttpClient(member, disposeHandler: false), _options, _time);

    private MemberProbeLoop Loop(HealthEndpoint member) => new(_cluster, "gw-1", Address, Prober(member), _options, _time, new FakeLogger());

    private async Task StopAsync(Task run)
    {
        await _stop.CancelAsync();
        await run.WaitAsync(Members.Timeout);
    }

    /// <summary>A member's health endpoint that answers at once, or once the gate opens; nothing here awaits on the caller's context.</summary>
    private sealed class HealthEndpoint(Func<HttpResponseMessage> answer, Gate? gate = null) : HttpMessageHandler
    {
        private int _probes;

        public int Probes => Volatile.Read(ref _probes);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _probes);
            return gate is null ? Task.FromResult(answer()) : AnswerLaterAsync(cancellationToken);
        }

        private async Task<HttpResponseMessage> AnswerLaterAsync(CancellationToken cancellationToken)
        {
            await gate!.PassAsync(cancellationToken).ConfigureAwait(false);
            return answer();
        }
    }
}
