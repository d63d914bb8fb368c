using System.Net;
using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Http.Tests.Probing;

/// <summary>
/// When probes are sent, read from the timers the loop arms on a fake clock: each probe arms its timeout, then the wait
/// before the next probe. A member that answers waits the interval, shortened by up to the jitter; one that failed its
/// probes up to the threshold waits the unhealthy interval; and the first probe waits the first delay it is given.
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
        // The cluster has a clock of its own: its timers (a penalty's) are not the loop's.
        _cluster = new ClusterSelector("probed", new ClusterOptions { Members = { new("gw-1") { Address = Address } } }, new FakeTimeProvider());
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        _cluster.Dispose();
    }

    [Fact]
    public async Task TheFirstProbe_WaitsTheFirstDelay()
    {
        var endpoint = new Endpoint(answers: true);
        _ = Loop(endpoint, new HealthProbingOptions()).RunAsync(TimeSpan.FromSeconds(1), _stop.Token);

        Assert.Equal(0, endpoint.Probes);
        Assert.Equal([TimeSpan.FromSeconds(1)], _time.DueTimes);

        _time.Advance(TimeSpan.FromSeconds(1));
        await Members.WaitUntilAsync(() => endpoint.Probes == 1, "the first probe is sent");
    }

    [Fact]
    public async Task AMemberThatAnswers_WaitsTheInterval_WithoutJitter()
    {
        var options = new HealthProbingOptions { Interval = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromSeconds(2), Jitter = 0 };
        _ = Loop(new Endpoint(answers: true), options).RunAsync(TimeSpan.Zero, _stop.Token);

        await _time.ArmedAsync(2);

        Assert.Equal([options.Timeout, options.Interval], _time.DueTimes);
    }

    [Fact]
    public async Task AMemberThatAnswers_WaitsTheInterval_ShortenedByUpToTheJitter()
    {
        var options = new HealthProbingOptions { Interval = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromSeconds(2), Jitter = 0.5 };
        var endpoints = Enumerable.Range(0, 3).Select(_ => new Endpoint(answers: true)).ToArray();
        foreach (Endpoint endpoint in endpoints)
        {
            _ = Loop(endpoint, options).RunAsync(TimeSpan.Zero, _stop.Token);
        }

        await _time.ArmedAsync(2 * endpoints.Length);

        TimeSpan[] waits = _time.DueTimes.Where(t => t != options.Timeout).ToArray();
        Assert.Equal(endpoints.Length, waits.Length);
        Assert.All(waits, w => Assert.InRange(w, TimeSpan.FromSeconds(2.5) + TimeSpan.FromTicks(1), options.Interval));
    }

    [Fact]
    public async Task AMemberThatFailedUpToTheThreshold_WaitsTheUnhealthyInterval()
    {
        var options = new HealthProbingOptions { Interval = TimeSpan.FromSeconds(5), UnhealthyInterval = TimeSpan.FromSeconds(1), Timeout = TimeSpan.FromSeconds(2), UnhealthyThreshold = 2, Jitter = 0 };
        var endpoint = new Endpoint(answers: false);
        _ = Loop(endpoint, options).RunAsync(TimeSpan.Zero, _stop.Token);

        // One failure, below the threshold: the interval. Two, the threshold: the unhealthy interval.
        await _time.AdvanceOnceArmedAsync(2, options.Interval);
        await _time.ArmedAsync(4);

        Assert.Equal([options.Timeout, options.Interval, options.Timeout, options.UnhealthyInterval], _time.DueTimes);
        Assert.Equal(2, endpoint.Probes);
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
