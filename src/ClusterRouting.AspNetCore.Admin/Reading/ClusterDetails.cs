using System.Globalization;
using ClusterRouting.Admin.Contract;

namespace ClusterRouting.Admin;

/// <summary>Turns the engine's status of a cluster, and its routing activity, into the API's description of it.</summary>
internal static class ClusterDetails
{
    public static ClusterDetail From(ClusterStatus status, ClusterActivitySnapshot activity, RoutingActivityCounts idle)
    {
        var members = new MemberDetail[status.Members.Count];
        for (int i = 0; i < members.Length; i++)
        {
            MemberStatus member = status.Members[i];
            members[i] = From(member, activity.Members.TryGetValue(member.Id, out RoutingActivityCounts? counts) ? counts : idle);
        }

        return new ClusterDetail(
            status.ClusterName,
            status.Mode.ToString(),
            status.Timestamp,
            ClusterLimits.MaxMembers,
            status.Versions,
            status.HasVersionSkew,
            status.ExceedsMemberLimit,
            WarningsOf(status),
            members,
            activity.Cluster);
    }

    public static MemberDetail From(MemberStatus member, RoutingActivityCounts activity) => new(
        member.Id,
        member.Index,
        member.IsPrimary,
        member.Address?.ToString(),
        member.Version,
        member.Enabled,
        member.Health.ToString(),
        member.PenalizedUntil,
        member.ConsecutiveOfflineResults,
        member.Throttle == MemberRejectionReason.None ? null : member.Throttle.ToString(),
        member.ThrottledBy,
        member.ThrottleRetryAfter?.TotalSeconds,
        member.RefusedFor?.ToString(),
        member.RefusalCoolDownRemaining?.TotalSeconds,
        member.InFlight,
        member.ConcurrencyLimit,
        member.CpuPercent,
        member.MemoryPercent,
        member.ToString(),
        activity);

    public static ClusterSummary SummaryOf(ClusterStatus status)
    {
        int enabled = 0;
        int online = 0;
        foreach (MemberStatus member in status.Members)
        {
            enabled += member.Enabled ? 1 : 0;
            online += member.Health == MemberHealth.Online ? 1 : 0;
        }

        return new ClusterSummary(status.ClusterName, status.Mode.ToString(), status.Members.Count, enabled, online, status.HasVersionSkew, status.ExceedsMemberLimit);
    }

    private static string[] WarningsOf(ClusterStatus status)
    {
        var warnings = new List<string>(2);
        if (status.HasVersionSkew)
        {
            // The gateway documents' own sentence on mixed versions.
            warnings.Add($"The members run different versions ({string.Join(", ", status.Versions)}): make sure the members of a cluster run the same version, as different versions could cause unexpected failures based on supported functionality.");
        }

        if (status.ExceedsMemberLimit)
        {
            warnings.Add(string.Format(
                CultureInfo.InvariantCulture,
                "The cluster has {0} members, more than the limit of {1}: it keeps routing, but refuses new members until some are removed.",
                status.Members.Count,
                ClusterLimits.MaxMembers));
        }

        return warnings.ToArray();
    }
}
