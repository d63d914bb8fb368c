namespace ClusterRouting;

/// <summary>
/// What a configuration reload applies to a running cluster: configuration wins only for a member or a setting whose
/// configured value changed since the configuration last applied; everything else keeps what the cluster has now, so
/// a runtime change (a member enabled or disabled, added or removed, the mode) survives a reload that does not touch it.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>A member the new configuration drops is removed; one it adds is added (even if an admin had removed it); one
/// whose configured Enabled, Version, Address or Weight changed takes the configured value for that field.</item>
/// <item>A member added at runtime that the configuration does not name stays; one removed at runtime stays removed
/// unless its configured entry changed.</item>
/// <item>Order: the configured members in the new configuration's order, then the members added at runtime, in their
/// order.</item>
/// <item>Mode and every setting: the new configured value if it changed, otherwise the cluster's current one.
/// Throttle policies and the offline predicate come from code and are always the new ones.</item>
/// </list>
/// </remarks>
internal static class ReloadMerge
{
    /// <param name="last">The configuration applied last (what configuration said then).</param>
    /// <param name="next">The new configuration.</param>
    /// <param name="current">The cluster now: its members in order with their state, its mode and settings.</param>
    /// <returns>The options to apply.</returns>
    public static ClusterOptions Merge(ClusterOptions last, ClusterOptions next, ClusterOptions current)
    {
        var merged = new ClusterOptions
        {
            Mode = Pick(last.Mode, next.Mode, current.Mode),
            CPUUtilizationPercentageThreshold = Pick(last.CPUUtilizationPercentageThreshold, next.CPUUtilizationPercentageThreshold, current.CPUUtilizationPercentageThreshold),
            MemoryUtilizationPercentageThreshold = Pick(last.MemoryUtilizationPercentageThreshold, next.MemoryUtilizationPercentageThreshold, current.MemoryUtilizationPercentageThreshold),
            ResourceUtilizationAggregationTimeInMinutes = Pick(last.ResourceUtilizationAggregationTimeInMinutes, next.ResourceUtilizationAggregationTimeInMinutes, current.ResourceUtilizationAggregationTimeInMinutes),
            ConcurrentOperationLimitPreview = Pick(last.ConcurrentOperationLimitPreview, next.ConcurrentOperationLimitPreview, current.ConcurrentOperationLimitPreview),
            BypassConcurrentOperationLimit = Pick(last.BypassConcurrentOperationLimit, next.BypassConcurrentOperationLimit, current.BypassConcurrentOperationLimit),
            MemberRefusalCoolDown = Pick(last.MemberRefusalCoolDown, next.MemberRefusalCoolDown, current.MemberRefusalCoolDown),
            ThrottlePolicyFailureMode = Pick(last.ThrottlePolicyFailureMode, next.ThrottlePolicyFailureMode, current.ThrottlePolicyFailureMode),
            TrackOfflineMembers = Pick(last.TrackOfflineMembers, next.TrackOfflineMembers, current.TrackOfflineMembers),
            OfflinePenaltyBaseDuration = Pick(last.OfflinePenaltyBaseDuration, next.OfflinePenaltyBaseDuration, current.OfflinePenaltyBaseDuration),
            OfflinePenaltyMaxDuration = Pick(last.OfflinePenaltyMaxDuration, next.OfflinePenaltyMaxDuration, current.OfflinePenaltyMaxDuration),
            OfflinePenaltyJitter = Pick(last.OfflinePenaltyJitter, next.OfflinePenaltyJitter, current.OfflinePenaltyJitter),
            MaxHedgedAttempts = Pick(last.MaxHedgedAttempts, next.MaxHedgedAttempts, current.MaxHedgedAttempts),
            HedgingDelay = Pick(last.HedgingDelay, next.HedgingDelay, current.HedgingDelay),
            SlowStartWindow = Pick(last.SlowStartWindow, next.SlowStartWindow, current.SlowStartWindow),
            SlowStartMinimumPercentage = Pick(last.SlowStartMinimumPercentage, next.SlowStartMinimumPercentage, current.SlowStartMinimumPercentage),
            IsOfflineException = next.IsOfflineException,
        };

        foreach (ThrottlePolicy policy in next.ThrottlePolicies)
        {
            merged.ThrottlePolicies.Add(policy);
        }

        foreach (ClusterMemberOptions configured in next.Members)
        {
            ClusterMemberOptions? before = Find(last.Members, configured.Id);
            ClusterMemberOptions? now = Find(current.Members, configured.Id);
            if (now is null && before is not null && Same(before, configured))
            {
                continue; // removed at runtime, and its configured entry did not change: it stays removed
            }

            merged.Members.Add(now is null || before is null
                ? Copy(configured)
                : new ClusterMemberOptions(now.Id, Pick(before.Version, configured.Version, now.Version), Pick(before.Enabled, configured.Enabled, now.Enabled))
                {
                    Address = Pick(before.Address, configured.Address, now.Address),
                    Weight = Pick(before.Weight, configured.Weight, now.Weight),
                });
        }

        foreach (ClusterMemberOptions member in current.Members)
        {
            if (Find(last.Members, member.Id) is null && Find(next.Members, member.Id) is null)
            {
                merged.Members.Add(Copy(member)); // added at runtime, not named by configuration
            }
        }

        return merged;
    }

    private static T Pick<T>(T last, T next, T current) => EqualityComparer<T>.Default.Equals(last, next) ? current : next;

    private static bool Same(ClusterMemberOptions left, ClusterMemberOptions right) =>
        left.Enabled == right.Enabled && left.Version == right.Version && left.Address == right.Address && left.Weight == right.Weight;

    private static ClusterMemberOptions Copy(ClusterMemberOptions member) => member.Clone();

    private static ClusterMemberOptions? Find(IList<ClusterMemberOptions> members, string id)
    {
        foreach (ClusterMemberOptions member in members)
        {
            if (string.Equals(member.Id, id, StringComparison.OrdinalIgnoreCase))
            {
                return member;
            }
        }

        return null;
    }
}
