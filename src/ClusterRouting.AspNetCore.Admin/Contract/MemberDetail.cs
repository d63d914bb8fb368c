namespace ClusterRouting.Admin.Contract;

/// <summary>One member's state.</summary>
/// <param name="Id">The member's id.</param>
/// <param name="Index">Its position in failover order: 0 is the primary.</param>
/// <param name="IsPrimary">Whether it is the primary.</param>
/// <param name="Address">Where it is reached, when known.</param>
/// <param name="Version">The version it runs, when known.</param>
/// <param name="Enabled">Whether it may be selected.</param>
/// <param name="Health"><c>Online</c>, <c>Penalized</c> or <c>Probing</c>.</param>
/// <param name="PenalizedUntil">When its offline penalty ends, while penalized.</param>
/// <param name="ConsecutiveOfflineResults">How many attempts in a row found it offline.</param>
/// <param name="Throttle">Why it is throttled (<c>CpuLimit</c>, <c>MemoryLimit</c>, <c>ConcurrencyLimit</c>, <c>PolicyLimit</c>: a threshold, a full member or the limit it refused for), or <see langword="null"/>.</param>
/// <param name="ThrottledBy">The custom policy that throttles it, when one does.</param>
/// <param name="ThrottleRetryAfterSeconds">How long until the throttle may lift with no new data (a refusal's remaining cool-down, a sample leaving the window), when known.</param>
/// <param name="RefusedFor">The limit it last refused an operation for (<c>Cpu</c>, <c>Memory</c>, <c>Concurrency</c>), while that refusal's cool-down runs.</param>
/// <param name="RefusalCoolDownSeconds">How long that refusal still holds, in seconds.</param>
/// <param name="InFlight">Operations in flight on it.</param>
/// <param name="ConcurrencyLimit">How many may be in flight at once, or <see langword="null"/> when unlimited.</param>
/// <param name="CpuPercent">Its average CPU over the aggregation window, when it has samples.</param>
/// <param name="MemoryPercent">Its average memory over the aggregation window, when it has samples.</param>
/// <param name="Description">The one-line description (<c>MemberStatus.ToString()</c>).</param>
/// <param name="Activity">What routing did with it over the last minute.</param>
internal sealed record MemberDetail(
    string Id,
    int Index,
    bool IsPrimary,
    string? Address,
    string? Version,
    bool Enabled,
    string Health,
    DateTimeOffset? PenalizedUntil,
    int ConsecutiveOfflineResults,
    string? Throttle,
    string? ThrottledBy,
    double? ThrottleRetryAfterSeconds,
    string? RefusedFor,
    double? RefusalCoolDownSeconds,
    int InFlight,
    int? ConcurrencyLimit,
    double? CpuPercent,
    double? MemoryPercent,
    string Description,
    RoutingActivityCounts Activity);
