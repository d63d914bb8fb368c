using System.Diagnostics.Metrics;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ClusterRouting.Tests.Diagnostics;

/// <summary>
/// <c>cluster_routing.leases.in_flight</c> is exact for a listener that attaches at any time: it is observed from the
/// members' counts when collected, not added up from deltas. Regression: a listener that attached while 5 leases were
/// out saw -5 once they ended, while 0 were in flight.
/// </summary>
public sealed class InFlightInstrumentTests : IDisposable
{
    private readonly ServiceProvider _services;

    public InFlightInstrumentTests()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void ListenerAttachesWhileLeasesAreOut_SeesTheTrueCountThroughout()
    {
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        using var cluster = new ClusterSelector("late-listener", Clusters.Options(2), meterFactory: meterFactory);
        var leases = Enumerable.Range(0, 5).Select(_ => cluster.Select()).ToList();

        using var collector = new MetricCollector<long>(meterFactory, "ClusterRouting", "cluster_routing.leases.in_flight");
        collector.RecordObservableInstruments();
        Assert.Equal(5, Latest(collector, "gw-0"));

        leases.ForEach(l => l.Dispose());
        collector.RecordObservableInstruments();

        Assert.Equal(0, Latest(collector, "gw-0"));
        Assert.Equal(0, Latest(collector, "gw-1"));
    }

    [Fact]
    public void DisposedCluster_IsNoLongerReported()
    {
        var meterFactory = _services.GetRequiredService<IMeterFactory>();
        using var collector = new MetricCollector<long>(meterFactory, "ClusterRouting", "cluster_routing.leases.in_flight");
        var cluster = new ClusterSelector("gone", Clusters.Options(1), meterFactory: meterFactory);
        collector.RecordObservableInstruments();
        Assert.Single(collector.GetMeasurementSnapshot(clear: true));

        cluster.Dispose();
        collector.RecordObservableInstruments();

        Assert.Empty(collector.GetMeasurementSnapshot());
    }

    private static long Latest(MetricCollector<long> collector, string member) =>
        collector.GetMeasurementSnapshot().Last(m => (string?)m.Tags[ClusterRoutingTelemetry.MemberTag] == member).Value;
}
