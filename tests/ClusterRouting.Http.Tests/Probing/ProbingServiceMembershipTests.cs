using System.Collections.Concurrent;
using System.Net;
using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Http.Tests.Probing;

/// <summary>
/// Which members the probing service probes, and when it starts, on a fake clock and against health endpoints answered
/// in memory: only the clusters the options name (every cluster when they name none), only members with an address,
/// one loop per member that lives as long as the member keeps its address, and the first probe within the jittered
/// share of the interval. A member readdressed or removed has its old loop stopped at once (its probe in flight is
/// cancelled, and its old address is never probed again), and the service's stop returns only once its loops have ended.
/// </summary>
public sealed class ProbingServiceMembershipTests : IDisposable
{
    private readonly TimerCountingTimeProvider _time = new();
    private readonly Dictionary<string, ClusterSelector> _clusters = new(StringComparer.Ordinal);
    private readonly Endpoints _endpoints = new();
    private readonly CancellationTokenSource _stop = new();

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
        foreach (ClusterSelector cluster in _clusters.Values)
        {
            cluster.Dispose();
        }
    }

    private ClusterSelector Add(string name, params ClusterMemberOptions[] members)
    {
        var options = new ClusterOptions();
        foreach (ClusterMemberOptions member in members)
        {
            options.Members.Add(member);
        }

        // Each cluster has a clock of its own: its timers are not the service's or the loops'.
        return _clusters[name] = new ClusterSelector(name, options, new FakeTimeProvider());
    }

    private HealthProbingService Service(HealthProbingOptions options) =>
        new(new Provider(_clusters), _endpoints, Options.Create(options), _time);

    [Fact]
    public void Reconcile_OptionsThatNameClusters_ProbeOnlyThose()
    {
        Add("a", new ClusterMemberOptions("gw-1") { Address = new Uri("http://a1.test/") });
        Add("b", new ClusterMemberOptions("gw-1") { Address = new Uri("http://b1.test/") });
        var options = new HealthProbingOptions();
        options.Clusters.Add("b");
        using HealthProbingService service = Service(options);

        service.Reconcile(_stop.Token);

        Assert.Equal([("b", "GW-1")], service.Probed.Keys);
    }

    [Fact]
    public void Reconcile_OptionsThatNameNoCluster_ProbeEveryCluster()
    {
        Add("a", new ClusterMemberOptions("gw-1") { Address = new Uri("http://a1.test/") });
        Add("b", new ClusterMemberOptions("gw-1") { Address = new Uri("http://b1.test/") });
        using HealthProbingService service = Service(new HealthProbingOptions());

        service.Reconcile(_stop.Token);

        Assert.Equal([("a", "GW-1"), ("b", "GW-1")], service.Probed.Keys.Order());
    }

    [Fact]
    public void Reconcile_AMemberWithoutAddress_IsNotProbed()
    {
        Add("a", new ClusterMemberOptions("gw-1") { Address = new Uri("http://a1.test/") }, new ClusterMemberOptions("gw-2"));
        using HealthProbingService service = Service(new HealthProbingOptions());

        service.Reconcile(_stop.Token);

        Assert.Equal([("a", "GW-1")], service.Probed.Keys);
    }

    [Fact]
    public void Reconcile_AMemberKeepsItsLoopWhileItKeepsItsAddress_AndGetsANewOneWhenReaddressed_OrNoneWhenRemoved()
    {
        ClusterSelector cluster = Add("a", new ClusterMemberOptions("gw-1") { Address = new Uri("http://a1.test/") });
        using HealthProbingService service = Service(new HealthProbingOptions());
        service.Reconcile(_stop.Token);
        MemberProbeLoop first = service.Probed[("a", "GW-1")];

        service.Reconcile(_stop.Token);
        Assert.Same(first, service.Probed[("a", "GW-1")]);

        cluster.RemoveMember("gw-1");
        cluster.AddMember(new ClusterMemberOptions("gw-1") { Address = new Uri("http://a1-moved.test/") });
        service.Reconcile(_stop.Token);
        MemberProbeLoop moved = service.Probed[("a", "GW-1")];
        Assert.NotSame(first, moved);
        Assert.Equal(new Uri("http://a1-moved.test/"), moved.Address);

        cluster.RemoveMember("gw-1");
        service.Reconcile(_stop.Token);
        Assert.Empty(service.Probed);
    }

    [Fact]
    public async Task Reconcile_TheFirstProbe_WaitsLessThanTheJitteredShareOfTheInterval()
    {
        Add("a", Enumerable.Range(1, 3).Select(i => new ClusterMemberOptions($"gw-{i}") { Address = new Uri($"http://a{i}.test/") }).ToArray());
        var options = new HealthProbingOptions { Interval = TimeSpan.FromSeconds(5), Jitter = 0.2 };
        using HealthProbingService service = Service(options);

        service.Reconcile(_stop.Token);

        // Each loop's first timer is its first wait: from zero up to Interval x Jitter (1 s), drawn for each member.
        await _time.ArmedAsync(3);
        Assert.All(_time.DueTimes, wait => Assert.InRange(wait, TimeSpan.Zero, TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1)));
        _time.Advance(TimeSpan.FromSeconds(1));
        await Members.WaitUntilAsync(() => _endpoints.Probes("a1.test") == 1, "the first probe is sent");
    }

    [Fact]
    public async Task Running_FollowsTheMembershipEveryUnhealthyInterval_AndStopsEveryLoopWhenStopped()
    {
        ClusterSelector cluster = Add("a", new ClusterMemberOptions("gw-1") { Address = new Uri("http://a1.test/") });
        using HealthProbingService service = Service(new HealthProbingOptions { UnhealthyInterval = TimeSpan.FromSeconds(1) });
        await service.StartAsync(CancellationToken.None);
        await Members.WaitUntilAsync(() => service.Probed.Count == 1, "the first member is probed");

        cluster.AddMember(new ClusterMemberOptions("gw-2") { Address = new Uri("http://a2.test/") });
        await Members.WaitUntilAsync(
            () =>
            {
                _time.Advance(TimeSpan.FromSeconds(1));
                return service.Probed.Count == 2;
            },
            "the member added is probed");
        await service.StopAsync(CancellationToken.None).WaitAsync(Members.Timeout);

        Assert.Empty(service.Probed);
        Assert.True(service.ExecuteTask!.IsCompletedSuccessfully, $"the service ended {service.ExecuteTask.Status}: {service.ExecuteTask.Exception}");
    }

    [Fact]
    public async Task Reconcile_AMemberReaddressed_StopsTheOldLoop_AndOnlyTheNewAddressIsProbedFromThen()
    {
        ClusterSelector cluster = Add("a", new ClusterMemberOptions("gw-1") { Address = new Uri("http://a1.test/") });
        HeldProbes old = _endpoints.Hold("a1.test");
        var options = new HealthProbingOptions();
        using HealthProbingService service = Service(options);
        service.Reconcile(_stop.Token);
        await _time.AdvanceOnceArmedAsync(1, options.Interval * options.Jitter);
        await Members.WaitUntilAsync(() => old.Arrived == 1, "the probe to the old address is in flight");

        cluster.RemoveMember("gw-1");
        cluster.AddMember(new ClusterMemberOptions("gw-1") { Address = new Uri("http://a1-moved.test/") });
        service.Reconcile(_stop.Token);

        // The clock has not moved, so no probe timeout did it: the old loop was stopped, and ends with its probe.
        await Members.WaitUntilAsync(() => old.Cancelled == 1, "the probe to the old address is cancelled");
        await Members.WaitUntilAsync(
            () =>
            {
                _time.Advance(options.Interval);
                return _endpoints.Probes("a1-moved.test") >= 3;
            },
            "the new address is probed three times");
        Assert.Equal(1, _endpoints.Probes("a1.test"));
    }

    [Fact]
    public async Task Reconcile_AMemberRemoved_StopsItsLoop_AndItsAddressIsNeverProbedAgain()
    {
        ClusterSelector cluster = Add(
            "a",
            new ClusterMemberOptions("gw-1") { Address = new Uri("http://a1.test/") },
            new ClusterMemberOptions("gw-2") { Address = new Uri("http://a2.test/") });
        HeldProbes removed = _endpoints.Hold("a1.test");
        var options = new HealthProbingOptions();
        using HealthProbingService service = Service(options);
        service.Reconcile(_stop.Token);
        await _time.AdvanceOnceArmedAsync(2, options.Interval * options.Jitter);
        await Members.WaitUntilAsync(() => removed.Arrived == 1, "the probe to the member removed next is in flight");

        cluster.RemoveMember("gw-1");
        service.Reconcile(_stop.Token);

        // The clock has not moved, so no probe timeout did it: the loop was stopped, and ends with its probe.
        await Members.WaitUntilAsync(() => removed.Cancelled == 1, "the probe to the member removed is cancelled");
        int before = _endpoints.Probes("a2.test");
        await Members.WaitUntilAsync(
            () =>
            {
                _time.Advance(options.Interval);
                return _endpoints.Probes("a2.test") >= before + 3;
            },
            "the member kept is probed three more times");
        Assert.Equal(1, _endpoints.Probes("a1.test"));
    }

    [Fact]
    public async Task Stopping_ReturnsOnlyOnceEveryLoopHasEnded()
    {
        Add("a", new ClusterMemberOptions("gw-1") { Address = new Uri("http://a1.test/") });
        HeldProbes held = _endpoints.Hold("a1.test", untilLetGo: true);
        var options = new HealthProbingOptions();
        using HealthProbingService service = Service(options);
        await service.StartAsync(CancellationToken.None);
        await Members.WaitUntilAsync(() => service.Probed.Count == 1, "the member is probed");
        await _time.AdvanceOnceArmedAsync(2, options.UnhealthyInterval); // the service's wait and the loop's first, shorter
        await Members.WaitUntilAsync(() => held.Arrived == 1, "the probe is in flight");

        Task stopping = service.StopAsync(CancellationToken.None);
        await Members.WaitUntilAsync(() => held.Cancelled == 1 && service.Probed.Count == 0, "the service has stopped its loop, whose probe sees it");

        // The loop cannot end while its probe is held: a stop that does not wait for its loops returns in the meantime.
        // (The grace only gives such a stop the time to show itself; a stop that waits cannot return however long it is.)
        await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromMilliseconds(200)));
        Assert.False(stopping.IsCompleted, "the service's stop returned while one of its loops was still running");
        held.LetGo();
        await stopping.WaitAsync(Members.Timeout);

        Assert.Equal(1, held.Ended);
        Assert.True(service.ExecuteTask!.IsCompletedSuccessfully, $"the service ended {service.ExecuteTask.Status}: {service.ExecuteTask.Exception}");
    }

    private sealed class Provider(Dictionary<string, ClusterSelector> clusters) : IClusterSelectorProvider
    {
        public IReadOnlyCollection<string> ClusterNames => clusters.Keys;

        public IClusterSelector GetCluster(string clusterName) => clusters[clusterName];

        public IClusterAdministration GetAdministration(string clusterName) => throw new NotSupportedException();

        public bool RemoveCluster(string clusterName) => throw new NotSupportedException();
    }

    /// <summary>Every member's health endpoint, answered in memory (but for the hosts held); counts the probes by host.</summary>
    private sealed class Endpoints : HttpMessageHandler, IHttpClientFactory
    {
        private readonly Dictionary<string, int> _probes = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, HeldProbes> _held = new(StringComparer.Ordinal);

        public int Probes(string host)
        {
            lock (_probes)
            {
                return _probes.GetValueOrDefault(host);
            }
        }

        /// <summary>Makes every probe to <paramref name="host"/> go unanswered: held until cancelled (and then until let go, if so asked).</summary>
        public HeldProbes Hold(string host, bool untilLetGo = false) => _held[host] = new HeldProbes(untilLetGo);

        public HttpClient CreateClient(string name) => new(this, disposeHandler: false);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (_probes)
            {
                _probes[request.RequestUri!.Host] = _probes.GetValueOrDefault(request.RequestUri.Host) + 1;
            }

            if (_held.TryGetValue(request.RequestUri.Host, out HeldProbes? held))
            {
                await held.HoldAsync(cancellationToken);
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"online":true}""") };
        }
    }

    /// <summary>Probes that get no answer: each waits for its cancellation, then for the test to let it go, and ends cancelled; counted at each step.</summary>
    private sealed class HeldProbes
    {
        private readonly Gate _letGo = new();
        private int _arrived;
        private int _cancelled;
        private int _ended;

        public HeldProbes(bool untilLetGo)
        {
            if (!untilLetGo)
            {
                _letGo.Open();
            }
        }

        public int Arrived => Volatile.Read(ref _arrived);

        public int Cancelled => Volatile.Read(ref _cancelled);

        public int Ended => Volatile.Read(ref _ended);

        public void LetGo() => _letGo.Open();

        public async Task HoldAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _arrived);
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelled);
                await _letGo.PassAsync(CancellationToken.None); // its token has fired: only the test ends the wait
                Interlocked.Increment(ref _ended);
                throw;
            }
        }
    }
}
