using System.Diagnostics.Metrics;
using System.Reflection;
using System.Runtime.CompilerServices;
using T = ClusterRouting.ClusterRoutingTelemetry;

namespace ClusterRouting;

/// <summary>
/// The library's instruments, on one meter named after the assembly and versioned with it: one set per
/// <see cref="IMeterFactory"/> (or one shared set for clusters created without a factory). Counters and the histogram
/// are recorded by <see cref="ClusterMetrics"/>; the observable instruments read the state of the clusters registered
/// here when a listener collects them, so they are exact whenever the listener attached and cost the hot path nothing.
/// </summary>
internal sealed class ClusterRoutingInstruments
{
    public const string MeterName = T.MeterName;

    /// <summary>
    /// The duration histogram's buckets, in seconds: from a DirectQuery that takes a millisecond to a refresh that runs
    /// for an hour (refreshes commonly run up to 30 minutes), where the SDK's default buckets would put nearly every
    /// attempt into one bucket.
    /// </summary>
    internal static readonly double[] DurationBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];

    private static readonly ConditionalWeakTable<IMeterFactory, ClusterRoutingInstruments> s_byFactory = new();
    private static ClusterRoutingInstruments? s_shared;

    // Weak: a cluster dropped without Dispose must not be kept alive by the (possibly static) instruments.
    private readonly List<WeakReference<IObservableCluster>> _clusters = new();

    private ClusterRoutingInstruments(IMeterFactory? meterFactory)
    {
        string? version = Version;
        Meter meter = meterFactory?.Create(new MeterOptions(MeterName) { Version = version }) ?? new Meter(MeterName, version);
        Selections = meter.CreateCounter<long>(T.Selections, "{selection}", "Selections, by cluster, chosen member and outcome.");
        ThrottledSelections = meter.CreateCounter<long>(T.ThrottledSelections, "{selection}", "Selections that failed because every enabled member was throttled, by the limit of the first throttled member.");
        Failovers = meter.CreateCounter<long>(T.Failovers, "{selection}", "Failover-mode selections that went to a member other than the primary.");
        OfflineAttempts = meter.CreateCounter<long>(T.OfflineAttempts, "{attempt}", "Attempts that found their member offline.");
        Refusals = meter.CreateCounter<long>(T.Refusals, "{refusal}", "Refusals members answered with, by member and the limit they refused for.");
        Probes = meter.CreateCounter<long>(T.Probes, "{probe}", "Active health probes reported, by member and outcome.");
        Duration = meter.CreateHistogram(
            T.OperationDuration,
            "s",
            "Duration of each attempt run by ExecuteAsync, by member and outcome.",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        meter.CreateObservableUpDownCounter(T.LeasesInFlight, () => ObserveMembers(static m => m.State.Slots.InFlight), "{lease}", "Leases taken and not yet disposed, by member.");
        meter.CreateObservableGauge(T.LeasesLimit, () => ObserveMembers(static m => m.State.Throttle.Verdict.ConcurrencyLimit == int.MaxValue ? null : SlowStartSchedule.Cap(m.State.Throttle.Verdict.ConcurrencyLimit, m.State.SlowStart.Share)), "{lease}", "How many leases a member may have out at once (members with a concurrency limit).");
        meter.CreateObservableGauge(T.MemberOnline, () => ObserveMembers(static m => m.State.Penalty.Health == MemberHealth.Online ? 1L : 0L), "1", "1 for a member that is online, 0 for one that proved offline (penalized or probing).");
        meter.CreateObservableGauge(T.MemberCpuUtilization, () => ObserveUtilization(static v => v.CpuPercent), "1", "A member's average CPU utilization over the aggregation window, as a ratio (members with samples).");
        meter.CreateObservableGauge(T.MemberMemoryUtilization, () => ObserveUtilization(static v => v.MemoryPercent), "1", "A member's average memory utilization over the aggregation window, as a ratio (members with samples).");
        meter.CreateObservableCounter(T.CallbackFailures, ObserveCallbackFailures, "{failure}", "Exceptions thrown by user code the cluster called (policies, loggers, meter listeners, the offline predicate, the timer), caught and counted.");
    }

    /// <summary>The instruments used by clusters created without a meter factory.</summary>
    public static ClusterRoutingInstruments Shared => s_shared ??= new ClusterRoutingInstruments(null);

    /// <summary>The library's version, without the source revision: the meter's and the activity source's version.</summary>
    public static string? Version { get; } =
        typeof(ClusterRoutingInstruments).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];

    public Counter<long> Selections { get; }

    public Counter<long> ThrottledSelections { get; }

    public Counter<long> Failovers { get; }

    public Counter<long> OfflineAttempts { get; }

    public Counter<long> Probes { get; }

    public Counter<long> Refusals { get; }

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

    private static KeyValuePair<string, object?> ClusterTag(IObservableCluster cluster) => new(T.ClusterTag, cluster.ClusterName);

    private static KeyValuePair<string, object?> MemberTag(SnapshotMember member) => new(T.MemberTag, member.Id);

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

    /// <summary>One measurement per member of every live cluster for which <paramref name="read"/> has a value.</summary>
    private List<Measurement<long>> ObserveMembers(Func<SnapshotMember, long?> read)
    {
        var measurements = new List<Measurement<long>>();
        foreach (IObservableCluster cluster in Live())
        {
            foreach (SnapshotMember member in cluster.ObservedMembers)
            {
                if (read(member) is long value)
                {
                    measurements.Add(new Measurement<long>(value, ClusterTag(cluster), MemberTag(member)));
                }
            }
        }

        return measurements;
    }

    /// <summary>A member's average as a ratio, from its current verdict (the snapshot's copy may lag loads that did not change routing).</summary>
    private List<Measurement<double>> ObserveUtilization(Func<MemberVerdict, double?> percent)
    {
        var measurements = new List<Measurement<double>>();
        foreach (IObservableCluster cluster in Live())
        {
            foreach (SnapshotMember member in cluster.ObservedMembers)
            {
                if (percent(member.State.Throttle.Verdict) is double value)
                {
                    measurements.Add(new Measurement<double>(value / 100, ClusterTag(cluster), MemberTag(member)));
                }
            }
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
                    measurements.Add(new Measurement<long>(count, ClusterTag(cluster), new KeyValuePair<string, object?>(T.CallbackTag, CallbackFailures.TagOf((CallbackKind)kind))));
                }
            }
        }

        return measurements;
    }
}
