namespace ClusterRouting.Admin.Contract;

/// <summary>One line of the cluster list.</summary>
/// <param name="Name">The cluster's registered name.</param>
/// <param name="Mode"><c>Failover</c>, <c>Random</c>, <c>RoundRobin</c> or <c>LeastLoaded</c>.</param>
/// <param name="MemberCount">How many members the cluster has, enabled or not.</param>
/// <param name="EnabledCount">How many of them are enabled.</param>
/// <param name="OnlineCount">How many are online (neither penalized nor probing).</param>
/// <param name="HasVersionSkew">Whether the members run different versions.</param>
/// <param name="ExceedsMemberLimit">Whether the cluster has more members than the documented limit.</param>
internal sealed record ClusterSummary(
    string Name,
    string Mode,
    int MemberCount,
    int EnabledCount,
    int OnlineCount,
    bool HasVersionSkew,
    bool ExceedsMemberLimit);
