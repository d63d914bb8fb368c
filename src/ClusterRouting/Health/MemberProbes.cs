namespace ClusterRouting;

/// <summary>
/// What an active health probe's result does to a member: an offline result penalizes it as an offline attempt would
/// (but is not an attempt: nothing was wasted on it); an online result restores a penalized member (which then ramps
/// up if slow start is on), takes the load it reported as its utilization, and records the version it reported.
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
            // The member reports its own averages over its own window: they replace the router's, rather than being
            // averaged again with older reports, so a member that turns hot is throttled by the first probe that says
            // so. The window averages CPU and memory together: a probe that reported only one of them changes nothing.
            member.Throttle.ResetWindow_NeedsLock();
            member.Throttle.AddSample_NeedsLock(change.Now, cpu, memory, change.Settings.Throttling.Window);
            change.Reevaluate(member);
        }

        if (!member.Penalty.IsClear && OfflinePenaltyTracker.Success_NeedsLock(member, change.Events))
        {
            // The member came back, as when an operation on it succeeds (MemberReports.Success): it ramps up.
            member.SlowStart.Begin_NeedsLock(change.Now, change.Settings.SlowStart);
            change.Republish();
        }
    }
}
