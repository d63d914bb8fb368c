using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// The library's instruments, on one meter named after the assembly. Every recording is guarded by the instrument's
/// <c>Enabled</c> flag and done in a method that is not inlined, so with no listener the hot path pays one flag read.
/// </summary>
internal sealed class ClusterRoutingMetrics
{
    public const string MeterName = "ClusterRouting";

    private static readonly ConditionalWeakTable<IMeterFactory, ClusterRoutingMetrics> s_byFactory = new();
    private static ClusterRoutingMetrics? s_shared;

    private readonly Counter<long> _selections;
    private readonly Counter<long> _throttledSelections;
    private readonly Counter<long> _failovers;
    private readonly Counter<long> _offlineAttempts;
    private readonly UpDownCounter<long> _inFlight;
    private readonly Histogram<double> _duration;

    private ClusterRoutingMetrics(IMeterFactory? meterFactory)
    {
        Meter meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _selections = meter.CreateCounter<long>("cluster_routing.selections", "{selection}", "Selections, by cluster, chosen member and outcome.");
        _throttledSelections = meter.CreateCounter<long>("cluster_routing.throttled_selections", "{selection}", "Selections that failed because every enabled member was throttled, by the limit of the first throttled member.");
        _failovers = meter.CreateCounter<long>("cluster_routing.failovers", "{selection}", "Failover-mode selections that went to a member other than the primary.");
        _offlineAttempts = meter.CreateCounter<long>("cluster_routing.offline_attempts", "{attempt}", "Attempts wasted on members that proved offline.");
        _inFlight = meter.CreateUpDownCounter<long>("cluster_routing.leases.in_flight", "{lease}", "Leases taken and not yet disposed.");
        _duration = meter.CreateHistogram<double>("cluster_routing.operation.duration", "s", "Duration of each attempt run by ExecuteAsync, by outcome.");
    }

    /// <summary>The instruments used by clusters created without a meter factory.</summary>
    public static ClusterRoutingMetrics Shared => s_shared ??= new ClusterRoutingMetrics(null);

    public bool SelectionsEnabled => _selections.Enabled;

    public bool InFlightEnabled => _inFlight.Enabled;

    public bool DurationEnabled => _duration.Enabled;

    public bool FailoversEnabled => _failovers.Enabled;

    public bool FailuresEnabled => _selections.Enabled || _throttledSelections.Enabled;

    /// <summary>The instruments for clusters created through <paramref name="meterFactory"/>: one set per factory.</summary>
    public static ClusterRoutingMetrics For(IMeterFactory? meterFactory) =>
        meterFactory is null ? Shared : s_byFactory.GetValue(meterFactory, static factory => new ClusterRoutingMetrics(factory));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordSelected(string cluster, string member) =>
        _selections.Add(1, new KeyValuePair<string, object?>("cluster", cluster), new KeyValuePair<string, object?>("member", member), new KeyValuePair<string, object?>("outcome", "selected"));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordFailover(string cluster, string member) =>
        _failovers.Add(1, new KeyValuePair<string, object?>("cluster", cluster), new KeyValuePair<string, object?>("member", member));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordFailed(string cluster, in SelectionFailure failure)
    {
        bool throttled = failure.IsThrottled;
        if (_selections.Enabled)
        {
            _selections.Add(1, new KeyValuePair<string, object?>("cluster", cluster), new KeyValuePair<string, object?>("outcome", throttled ? "throttled" : "unavailable"));
        }

        if (throttled && _throttledSelections.Enabled)
        {
            _throttledSelections.Add(1, new KeyValuePair<string, object?>("cluster", cluster), new KeyValuePair<string, object?>("limit", LimitTag(failure.HeadlineLimit)));
        }
    }

    public void RecordOfflineAttemptIfEnabled(string cluster, string member)
    {
        if (_offlineAttempts.Enabled)
        {
            RecordOfflineAttempt(cluster, member);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordOfflineAttempt(string cluster, string member) =>
        _offlineAttempts.Add(1, new KeyValuePair<string, object?>("cluster", cluster), new KeyValuePair<string, object?>("member", member));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordLease(string cluster, string member, int delta) =>
        _inFlight.Add(delta, new KeyValuePair<string, object?>("cluster", cluster), new KeyValuePair<string, object?>("member", member));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordDuration(string cluster, string member, string outcome, TimeSpan elapsed)
    {
        var tags = new TagList { { "cluster", cluster }, { "member", member }, { "outcome", outcome } };
        _duration.Record(elapsed.TotalSeconds, in tags);
    }

    private static string LimitTag(ThrottleLimitKind limit) => limit switch
    {
        ThrottleLimitKind.Cpu => "cpu",
        ThrottleLimitKind.Memory => "memory",
        ThrottleLimitKind.Concurrency => "concurrency",
        _ => "custom",
    };
}
