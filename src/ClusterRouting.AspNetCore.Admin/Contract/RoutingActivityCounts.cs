namespace ClusterRouting.Admin.Contract;

/// <summary>What routing did over the last <paramref name="WindowSeconds"/> seconds, from the ClusterRouting meter.</summary>
/// <param name="WindowSeconds">The window the counts cover (60).</param>
/// <param name="Selections">Selections that chose a member (for a member: that chose it).</param>
/// <param name="Failovers">Failover-mode selections that went past the primary (for a member: that went to it instead).</param>
/// <param name="Refusals">Attempts the member refused (it said it was over one of its limits).</param>
/// <param name="OfflineAttempts">Attempts that found the member offline.</param>
/// <param name="FailedSelections">Selections no member could take (throttled or unavailable); counted for the cluster only.</param>
internal sealed record RoutingActivityCounts(
    int WindowSeconds,
    long Selections,
    long Failovers,
    long Refusals,
    long OfflineAttempts,
    long FailedSelections);
