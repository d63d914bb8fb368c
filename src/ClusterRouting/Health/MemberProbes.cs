namespace ClusterRouting;

/// <summary>
/// What an active health probe's result does to a member: an offline result penalizes it as an offline attempt would
/// (but is not an attempt: nothing was wasted on it); an online result restores a penalized member, adds the load it
/// reported to its utilization, and records the version it reported.
/// </summary>
internal static class MemberProbes
{
    public static void Apply_NeedsLock(ClusterChange change, MemberState member, MemberProbeResult result)
    {
        if (!result.IsOnline)
        {
            if (change.Cluster.Penalties.Offline_NeedsLock(member, change.Settings.Penalties, change.Now, change.Events))
            {
                change.Republish();
            }

            return;
        }

        if (result.Version is string version)
        {
            MembershipEditor.SetVersion(change, member, version);
        }

        if (result.CpuPercent is double cpu && result.MemoryPercent is double memory)
        {
            // The window averages CPU and memory together: a probe that reported only one of them adds no sample.
            member.Throttle.AddSample_NeedsLock(change.Now, cpu, memory, change.Settings.Throttling.Window);
            change.Reevaluate(member);
        }

        if (!member.Penalty.IsClear && OfflinePenaltyTracker.Success_NeedsLock(member, change.Events))
        {
            change.Republish();
        }
    }
}
