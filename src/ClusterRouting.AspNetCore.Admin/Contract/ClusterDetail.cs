namespace ClusterRouting.Admin.Contract;

/// <summary>One cluster, its members and what routing did over the last minute: <c>GET {prefix}/api/clusters/{cluster}</c>.</summary>
/// <param name="Name">The cluster's registered name.</param>
/// <param name="Mode"><c>Failover</c>, <c>Random</c>, <c>RoundRobin</c> or <c>LeastLoaded</c>.</param>
/// <param name="Timestamp">When the status was taken, by the cluster's clock.</param>
/// <param name="MemberLimit">The documented member limit (10).</param>
/// <param name="Versions">The distinct versions the members report.</param>
/// <param name="HasVersionSkew">Whether the members run different versions.</param>
/// <param name="ExceedsMemberLimit">Whether the cluster has more members than <paramref name="MemberLimit"/>.</param>
/// <param name="Warnings">Sentences for the operator: version skew, too many members.</param>
/// <param name="Members">The members in failover order; the first is the primary.</param>
/// <param name="Activity">What routing did in the cluster over the last minute.</param>
internal sealed record ClusterDetail(
    string Name,
    string Mode,
    DateTimeOffset Timestamp,
    int MemberLimit,
    IReadOnlyList<string> Versions,
    bool HasVersionSkew,
    bool ExceedsMemberLimit,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<MemberDetail> Members,
    RoutingActivityCounts Activity);
