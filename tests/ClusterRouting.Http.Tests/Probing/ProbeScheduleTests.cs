using System.Net;
using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Http.Tests.Probing;

/// <summary>
/// When probes are sent, on a fake clock: a member that answers is probed every interval, shortened by up to the jitter;
/// one that failed its probes up to the threshold is probed at the unhealthy interval. Each probe arms two timers (its
/// timeout and the wait after it), so the clock is advanced only once the wait is armed.
/// </summary>
public sealed class ProbeScheduleTests : IDisposable
{
    private const string Health = """{"id":"gw-1","version":"3000.7","online":true}""";
    private static readonly Uri Address = new("http://gw-1.test/");
    private readonly TimerCountingTimeProvider _time = new();
    private readonly ClusterSelector _cluster;
    private readonly CancellationTokenSource _stop = new();

    public ProbeScheduleTests()
    {
        _cluster = new ClusterSelector("probed", new ClusterOptions { Members = { new("gw-1") { Address = Address } } }, _time);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _cluster.Dispose();
    }

    [Fact]
    public async Task AMemberThatAnswers_IsProbedAgainWithinTheInterval_EarlierByUpToTheJitter()
    {
        // Twenty loops, each with its own draw of the jitter, so that no draw can hide a wait computed wrong.
        var options = new HealthProbingOptions { Interval = TimeSpan.FromSeconds(5), Jitter = 0.5 };
        var endpoints = Enumerable.Range(0, 20).Select(_ => new Endpoint(answers: true)).ToArray();
        Task[] loops = endpoints.Select(e => Loop(e, options).RunAsync(TimeSpan.Zero, _stop.Token)).ToArray();

        // Each probe arms its timeout, and then the wait before the next probe: two timers per loop.
        await _time.AdvanceOnceArmedAsync(2 * endpoints.Length, options.Interval - TimeSpan.FromTicks(1));
        await Members.WaitUntilAsync(() => endpoints.All(e => e.Probes == 2), "every loop probes a second time before the interval is over");

        Assert.All(loops, l => Assert.False(l.IsCompleted));
        Assert.All(endpoints, e => Assert.True(e.Probes == 2));
    }

    [Fact]
    public async Task AMemberThatFailedUpToTheThreshold_IsProbedAtTheUnhealthyInterval()
    {
        var options = new HealthProbingOptions { Interval = TimeSpan.FromSeconds(5), UnhealthyInterval = TimeSpan.FromSeconds(1), UnhealthyThreshold = 2, Jitter = 0 };
        var endpoint = new Endpoint(answers: false);
        _ = Loop(endpoint, options).RunAsync(TimeSpan.Zero, _stop.Token);

        // One failure, below the threshold: the next probe after the interval.
        await _time.AdvanceOnceArmedAsync(2, options.Interval);
        await Members.WaitUntilAsync(() => endpoint.Probes == 2, "the second probe after the interval");

        // Two failures, the threshold: the next probe after the unhealthy interval.
        await _time.AdvanceOnceArmedAsync(4, options.UnhealthyInterval);
        await Members.WaitUntilAsync(() => endpoint.Probes == 3, "the third probe after the unhealthy interval");

        Assert.Equal(MemberHealth.Penalized, _cluster.GetStatus().Members[0].Health);
    }

    private MemberProbeLoop Loop(Endpoint endpoint, HealthProbingOptions options) =>
        new(_cluster, "gw-1", Address, new MemberProber(() => new HttpClient(endpoint, disposeHandler: false), options, _time), options, _time, new FakeLogger());

    private sealed class Endpoint(bool answers) : HttpMessageHandler
    {
        private int _probes;

        public int Probes => Volatile.Read(ref _probes);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _probes);
            return answers
                ? Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Health) })
                : Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, "refused"));
        }
    }
}
