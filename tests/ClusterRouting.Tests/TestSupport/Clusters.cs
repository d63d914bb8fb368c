using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Tests.TestSupport;

internal static class Clusters
{
    public static ClusterOptions Options(int memberCount, SelectionMode mode = SelectionMode.Failover)
    {
        var options = new ClusterOptions { Mode = mode };
        for (int i = 0; i < memberCount; i++)
        {
            options.Members.Add(new ClusterMemberOptions($"gw-{i}"));
        }

        return options;
    }

    public static ClusterSelector Create(int memberCount, SelectionMode mode = SelectionMode.Failover, RandomSource? random = null, TimeProvider? time = null, FakeLogger? logger = null) =>
        new("test", Options(memberCount, mode), time, random, logger);

    /// <summary>Selects once and ends the lease at once, returning the chosen member id (or null on failure).</summary>
    public static string? SelectOnce(this ClusterSelector cluster)
    {
        if (!cluster.TrySelect(out MemberLease lease))
        {
            return null;
        }

        using (lease)
        {
            return lease.MemberId;
        }
    }
}
