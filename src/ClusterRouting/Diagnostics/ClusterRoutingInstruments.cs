using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// The library's instruments, on one meter named after the assembly: one set per <see cref="IMeterFactory"/> (or one
/// shared set for clusters created without a factory). Counters and the histogram are recorded by
/// <see cref="ClusterMetrics"/>; the observable instruments read the state of the clusters registered here when a
/// listener collects them, so they are exact whenever the listener attached and cost nothing on the hot path.
/// </summary>
internal sealed class ClusterRoutingInstruments
{
    public const string MeterName = "ClusterRouting";

    private static readonly ConditionalWeakTable<IMeterFactory, ClusterRoutingInstruments> s_byFactory = new();
    private static ClusterRoutingInstruments? s_shared;

    // Weak: a cluster dropped without Dispose must not be kept alive by the (possibly static) instruments.
    private readonly List<WeakReference<IObservableCluster>> _clusters = new();

    private ClusterRoutingInstruments(IMeterFactory? meterFactory)
    {
        Meter meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        Selections = meter.CreateCounter<long>("cluster_routing.selections", "{selection}", "Selections, by cluster, chosen member and outcome.");
        ThrottledSelections = meter.CreateCounter<long>("cluster_routing.throttled_selections", "{selection}", "Selections that failed because every enabled member was throttled, by the limit of the first throttled member.");
        Failovers = meter.CreateCounter<long>("cluster_routing.failovers", "{selection}", "Failover-mode selections that went to a member other than the primary.");
        OfflineAttempts = meter.CreateCounter<long>("cluster_routing.offline_attempts", "{attempt}", "Attempts wasted on members that proved offline.");
        Duration = meter.CreateHistogram<double>("cluster_routing.operation.duration", "s", "Duration of each attempt run by ExecuteAsync, by outcome.");
        meter.CreateObservableUpDownCounter("cluster_routing.leases.in_flight", ObserveInFlight, "{lease}", "Leases taken and not yet disposed, by member.");
        meter.CreateObservableCounter("cluster_routing.callback.failures", ObserveCallbackFailures, "{failure}", "Exceptions thrown by user code the cluster called (policies, loggers, meter listeners, the offline predicate, the timer), caught and counted.");
    }

    /// <summary>The instruments used by clusters created without a meter factory.</summary>
    public static ClusterRoutingInstruments Shared => s_shared ??= new ClusterRoutingInstruments(null);

    public Counter<long> Selections { get; }

    public Counter<long> ThrottledSelections { get; }

    public Counter<long> Failovers { get; }

    public Counter<long> OfflineAttempts { get; }

    public Histogram<double> Duration { get; }

    /// <summary>The instruments for clusters created through <paramref name="meterFactory"/>: one set per factory.</summary>
    public static ClusterRoutingInstruments For(IMeterFactory? meterFactory) =>
        meterFactory is null ? Shared : s_byFactory.GetValue(meterFactory, static factory => new ClusterRoutingInstruments(factory));

    /// <summary>Adds a cluster to what the observable instruments report.</summary>
    public void Register(IObservableCluster cluster)
    {
        lock (_clusters)
        {
            _clusters.RemoveAll(static r => !r.TryGetTarget(out _));
            _clusters.Add(new WeakReference<IObservableCluster>(cluster));
        }
    }

    /// <summary>Removes a cluster from what the observable instruments report.</summary>
    public void Unregister(IObservableCluster cluster)
    {
        lock (_clusters)
        {
            _clusters.RemoveAll(r => !r.TryGetTarget(out IObservableCluster? target) || ReferenceEquals(target, cluster));
        }
    }

    private List<IObservableCluster> Live()
    {
        lock (_clusters)
        {
            var live = new List<IObservableCluster>(_clusters.Count);
            foreach (WeakReference<IObservableCluster> reference in _clusters)
            {
                if (reference.TryGetTarget(out IObservableCluster? cluster))
                {
                    live.Add(cluster);
                }
            }

            return live;
        }
    }

    private IEnumerable<Measurement<long>> ObserveInFlight()
    {
        var measurements = new List<Measurement<long>>();
        foreach (IObservableCluster cluster in Live())
        {
            cluster.ObserveInFlight(measurements);
        }

        return measurements;
    }

    private IEnumerable<Measurement<long>> ObserveCallbackFailures()
    {
        var measurements = new List<Measurement<long>>();
        foreach (IObservableCluster cluster in Live())
        {
            for (int kind = 0; kind < CallbackFailures.KindCount; kind++)
            {
                long count = cluster.Failures.CountOf((CallbackKind)kind);
                if (count > 0)
                {
                    measurements.Add(new Measurement<long>(
                        count,
                        new KeyValuePair<string, object?>("cluster", cluster.ClusterName),
                        new KeyValuePair<string, object?>("callback", CallbackFailures.TagOf((CallbackKind)kind))));
                }
            }
        }

        return measurements;
    }
}
