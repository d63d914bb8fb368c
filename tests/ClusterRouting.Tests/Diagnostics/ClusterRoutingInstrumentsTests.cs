using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterRouting.Tests.Diagnostics;

/// <summary>
/// <see cref="ClusterRoutingInstruments"/> on its own: one set of instruments per meter factory, and the observable
/// instruments, which report the clusters registered (held weakly) when a listener collects them.
/// </summary>
public sealed class ClusterRoutingInstrumentsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly IMeterFactory _factory;
    private readonly ClusterRoutingInstruments _instruments;

    public ClusterRoutingInstrumentsTests()
    {
        _factory = _services.GetRequiredService<IMeterFactory>();
        _instruments = ClusterRoutingInstruments.For(_factory);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void For_NoFactory_IsTheSharedSet()
    {
        Assert.Same(ClusterRoutingInstruments.Shared, ClusterRoutingInstruments.For(null));
    }

    [Fact]
    public void For_SameFactory_IsTheSameSet_AnotherFactoryGetsItsOwn()
    {
        using ServiceProvider other = new ServiceCollection().AddMetrics().BuildServiceProvider();

        Assert.Same(_instruments, ClusterRoutingInstruments.For(_factory));
        Assert.NotSame(_instruments, ClusterRoutingInstruments.For(other.GetRequiredService<IMeterFactory>()));
        Assert.NotSame(_instruments, ClusterRoutingInstruments.Shared);
        Assert.Same(_factory, _instruments.Selections.Meter.Scope);
        Assert.Equal(ClusterRoutingInstruments.MeterName, _instruments.Selections.Meter.Name);
    }

    [Fact]
    public void InFlight_RegisteredCluster_IsReported()
    {
        var cluster = new FakeCluster("a", inFlight: 3);
        _instruments.Register(cluster);
        using MetricCollector<long> inFlight = Collect("cluster_routing.leases.in_flight");

        inFlight.RecordObservableInstruments();

        CollectedMeasurement<long> measurement = Assert.Single(inFlight.GetMeasurementSnapshot());
        Assert.Equal(3, measurement.Value);
        Assert.Equal("a", measurement.Tags[ClusterRoutingTelemetry.ClusterTag]);
        GC.KeepAlive(cluster);
    }

    [Fact]
    public void InFlight_UnregisteredCluster_IsNoLongerReported_TheOthersStill()
    {
        var a = new FakeCluster("a", inFlight: 1);
        var b = new FakeCluster("b", inFlight: 2);
        _instruments.Register(a);
        _instruments.Register(b);
        using MetricCollector<long> inFlight = Collect("cluster_routing.leases.in_flight");

        _instruments.Unregister(a);
        inFlight.RecordObservableInstruments();

        CollectedMeasurement<long> measurement = Assert.Single(inFlight.GetMeasurementSnapshot());
        Assert.Equal("b", measurement.Tags[ClusterRoutingTelemetry.ClusterTag]);
        GC.KeepAlive(a);
        GC.KeepAlive(b);
    }

    [Fact]
    public void Register_ClusterDroppedWithoutUnregister_IsCollectedAndNoLongerReported()
    {
        WeakReference dropped = RegisterAndDrop(_instruments);

        for (int i = 0; i < 5 && dropped.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(dropped.IsAlive, "the instruments kept a registered cluster alive");
        using MetricCollector<long> inFlight = Collect("cluster_routing.leases.in_flight");
        inFlight.RecordObservableInstruments();
        Assert.Empty(inFlight.GetMeasurementSnapshot());

        var live = new FakeCluster("live", inFlight: 1);
        _instruments.Register(live); // purges the dead reference on the way
        inFlight.RecordObservableInstruments();
        Assert.Equal("live", Assert.Single(inFlight.GetMeasurementSnapshot()).Tags[ClusterRoutingTelemetry.ClusterTag]);
        GC.KeepAlive(live);
    }

    [Fact]
    public void CallbackFailures_ReportsEachKindThatFailed_PerCluster()
    {
        var cluster = new FakeCluster("a", inFlight: 0);
        cluster.Failures.Count(CallbackKind.Timer);
        cluster.Failures.Count(CallbackKind.Timer);
        cluster.Failures.Count(CallbackKind.Logger);
        _instruments.Register(cluster);
        using MetricCollector<long> failures = Collect("cluster_routing.callback.failures");

        failures.RecordObservableInstruments();

        var byKind = failures.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags[ClusterRoutingTelemetry.CallbackTag]!, m => m.Value);
        Assert.Equal(new Dictionary<string, long> { ["timer"] = 2, ["logger"] = 1 }, byKind);
        Assert.All(failures.GetMeasurementSnapshot(), m => Assert.Equal("a", m.Tags[ClusterRoutingTelemetry.ClusterTag]));
        GC.KeepAlive(cluster);
    }

    [Fact]
    public void InFlight_RealCluster_ReportsEveryMember()
    {
        using var cluster = new ClusterSelector("real", Clusters.Options(3), meterFactory: _factory);
        MemberLease first = cluster.Select();
        MemberLease second = cluster.Select();
        using MetricCollector<long> inFlight = Collect("cluster_routing.leases.in_flight");

        inFlight.RecordObservableInstruments();
        first.Dispose();
        second.Dispose();

        var byMember = inFlight.GetMeasurementSnapshot().ToDictionary(m => (string)m.Tags[ClusterRoutingTelemetry.MemberTag]!, m => m.Value);
        Assert.Equal(new Dictionary<string, long> { ["gw-0"] = 2, ["gw-1"] = 0, ["gw-2"] = 0 }, byMember);
    }

    [Fact]
    public void CallbackFailures_RealCluster_ReportsItsCounts()
    {
        using var cluster = new ClusterSelector("real", Clusters.Options(1), meterFactory: _factory);
        cluster.State.Failures.Count(CallbackKind.OfflinePredicate);
        using MetricCollector<long> failures = Collect("cluster_routing.callback.failures");

        failures.RecordObservableInstruments();

        CollectedMeasurement<long> measurement = Assert.Single(failures.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("offline_predicate", measurement.Tags[ClusterRoutingTelemetry.CallbackTag]);
        Assert.Equal("real", measurement.Tags[ClusterRoutingTelemetry.ClusterTag]);
    }

    [Fact]
    public void Instruments_EachCarryADescription_ForDashboardsToShow()
    {
        List<Instrument> published = Published();

        Assert.Equal(13, published.Count);
        Assert.All(published, i => Assert.False(string.IsNullOrWhiteSpace(i.Description), $"{i.Name} has no description"));
    }

    [Fact]
    public void Meter_CreatedThroughAFactory_CarriesTheLibrarysVersion()
    {
        string? version = Assert.Single(Published().Select(i => i.Meter).Distinct()).Version;

        Assert.False(string.IsNullOrEmpty(version), "the factory's meter has no version");
        Assert.Equal(typeof(ClusterSelector).Assembly.GetName().Version!.ToString(3), version!.Split('-')[0]);
    }

    [Fact]
    public void Duration_CreatedThroughAFactory_AdvisesBucketsFromAMillisecondToAnHour()
    {
        var duration = Assert.IsType<Histogram<double>>(Assert.Single(Published(), i => i.Name == ClusterRoutingTelemetry.OperationDuration));

        double[] documented = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];
        Assert.Equal(documented, duration.Advice?.HistogramBucketBoundaries);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference RegisterAndDrop(ClusterRoutingInstruments instruments)
    {
        var cluster = new FakeCluster("dropped", inFlight: 7);
        instruments.Register(cluster);
        return new WeakReference(cluster);
    }

    /// <summary>The instruments of this test's meter factory, as a listener that starts now is told of them.</summary>
    private List<Instrument> Published()
    {
        var published = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == ClusterRoutingInstruments.MeterName && ReferenceEquals(instrument.Meter.Scope, _factory))
                {
                    lock (published)
                    {
                        published.Add(instrument);
                    }
                }
            },
        };
        listener.Start();
        lock (published)
        {
            return published.ToList();
        }
    }

    private MetricCollector<long> Collect(string instrument) => new(_factory, ClusterRoutingInstruments.MeterName, instrument);

    /// <summary>
    /// A cluster as the observable instruments see it: a name, its failure counts, and one member (<c>m</c>) of a real
    /// cluster with <c>inFlight</c> leases out, registered only where a test registers it.
    /// </summary>
    private sealed class FakeCluster : IObservableCluster
    {
        private readonly ClusterState _members;

        public FakeCluster(string name, int inFlight)
        {
            ClusterName = name;
            Failures = new(name, NullLogger.Instance);
            var cluster = new ClusterSelector(name, new ClusterOptions { Members = { new ClusterMemberOptions { Id = "m" } } });
            for (int i = 0; i < inFlight; i++)
            {
                _ = cluster.Select(); // held: the member's in-flight count
            }

            _members = cluster.State;
        }

        public string ClusterName { get; }

        public CallbackFailures Failures { get; }

        public SnapshotMember[] ObservedMembers => _members.Snapshot.Members;
    }
}
