namespace ClusterRouting;

/// <summary>
/// The names under which ClusterRouting reports: its meter, its activity source, its instruments and their tags, for
/// configuring OpenTelemetry (<c>AddMeter(ClusterRoutingTelemetry.MeterName)</c>,
/// <c>AddSource(ClusterRoutingTelemetry.ActivitySourceName)</c>), views and alerts. Tag names follow the
/// OpenTelemetry conventions: namespaced under <c>cluster_routing.</c>, and <c>error.type</c> on failures.
/// </summary>
public static class ClusterRoutingTelemetry
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "ClusterRouting";

    /// <summary>The activity source's name.</summary>
    public const string ActivitySourceName = "ClusterRouting";

    /// <summary>Counter: selections, by cluster, chosen member (when one was) and outcome (<c>selected</c>, <c>throttled</c>, <c>unavailable</c>).</summary>
    public const string Selections = "cluster_routing.selections";

    /// <summary>Counter: selections that failed because every enabled member was throttled, by the limit of the first throttled member.</summary>
    public const string ThrottledSelections = "cluster_routing.throttled_selections";

    /// <summary>Counter: failover-mode selections that went to a member other than the primary.</summary>
    public const string Failovers = "cluster_routing.failovers";

    /// <summary>Counter: attempts found a member offline.</summary>
    public const string OfflineAttempts = "cluster_routing.offline_attempts";

    /// <summary>Counter: refusals members answered with (reported by <c>ExecuteAsync</c>, the HTTP handler or <c>ReportRefusal</c>), by member and limit.</summary>
    public const string Refusals = "cluster_routing.refusals";

    /// <summary>Counter: active health probes reported with <c>ReportProbe</c>, by member and outcome (<c>online</c>, <c>offline</c>).</summary>
    public const string Probes = "cluster_routing.probes";

    /// <summary>Histogram, seconds: each attempt run by <c>ExecuteAsync</c>, by outcome; buckets from a millisecond to an hour.</summary>
    public const string OperationDuration = "cluster_routing.operation.duration";

    /// <summary>Observable up-down counter: leases taken and not yet disposed, per member.</summary>
    public const string LeasesInFlight = "cluster_routing.leases.in_flight";

    /// <summary>Observable gauge: how many leases a member may have out at once, for members with a concurrency limit.</summary>
    public const string LeasesLimit = "cluster_routing.leases.limit";

    /// <summary>Observable gauge: 1 for a member that is online, 0 for one that proved offline (penalized, or being probed).</summary>
    public const string MemberOnline = "cluster_routing.member.online";

    /// <summary>Observable gauge, ratio 0 to 1: a member's average CPU utilization over the aggregation window, for members with samples.</summary>
    public const string MemberCpuUtilization = "cluster_routing.member.cpu.utilization";

    /// <summary>Observable gauge, ratio 0 to 1: a member's average memory utilization over the aggregation window, for members with samples.</summary>
    public const string MemberMemoryUtilization = "cluster_routing.member.memory.utilization";

    /// <summary>Observable counter: exceptions thrown by user code the cluster called, caught and counted, by kind of callback.</summary>
    public const string CallbackFailures = "cluster_routing.callback.failures";

    /// <summary>Span: one run of <c>ExecuteAsync</c> or <c>ExecutePrimaryAsync</c>, from the first selection to the result or the failure.</summary>
    public const string ExecuteActivityName = "cluster_routing.execute";

    /// <summary>Span: one attempt of a run on one member, a child of the run's span.</summary>
    public const string AttemptActivityName = "cluster_routing.attempt";

    /// <summary>Tag: the cluster's name.</summary>
    public const string ClusterTag = "cluster_routing.cluster.name";

    /// <summary>Tag: the member's id.</summary>
    public const string MemberTag = "cluster_routing.member.id";

    /// <summary>Tag: what a selection did: <c>selected</c>, <c>throttled</c> or <c>unavailable</c>.</summary>
    public const string SelectionOutcomeTag = "cluster_routing.selection.outcome";

    /// <summary>Tag: the limit of the first throttled member: <c>cpu</c>, <c>memory</c>, <c>concurrency</c> or <c>custom</c>.</summary>
    public const string LimitTag = "cluster_routing.limit";

    /// <summary>Tag: how an attempt ended: <c>success</c>, <c>offline</c>, <c>refused</c>, <c>error</c>, or <c>cancelled</c> for a hedged run's attempt that another attempt beat.</summary>
    public const string AttemptOutcomeTag = "cluster_routing.attempt.outcome";

    /// <summary>Tag: what an active health probe found: <c>online</c> or <c>offline</c>.</summary>
    public const string ProbeOutcomeTag = "cluster_routing.probe.outcome";

    /// <summary>Tag: the attempt's number in its run, from 1.</summary>
    public const string AttemptNumberTag = "cluster_routing.attempt.number";

    /// <summary>Tag on an attempt's span: <see langword="true"/> when an earlier attempt of the run failed over to this one.</summary>
    public const string FailoverTag = "cluster_routing.failover";

    /// <summary>Tag on an attempt's span: <see langword="true"/> for a hedge, an attempt started while another attempt of the run was still in flight.</summary>
    public const string HedgeTag = "cluster_routing.hedge";

    /// <summary>Tag on a run's span: <see langword="true"/> for primary-only work (<c>ExecutePrimaryAsync</c>).</summary>
    public const string PrimaryOnlyTag = "cluster_routing.primary_only";

    /// <summary>Tag: the kind of user code that threw: <c>throttle_policy</c>, <c>logger</c>, <c>meter_listener</c>, <c>offline_predicate</c>, <c>timer</c>.</summary>
    public const string CallbackTag = "cluster_routing.callback";

    /// <summary>Tag (OpenTelemetry's): on a failure, its class: <c>throttled</c>, <c>unavailable</c>, <c>offline</c>, <c>refused</c>, <c>all_members_failed</c> or the exception's type.</summary>
    public const string ErrorTypeTag = "error.type";
}
