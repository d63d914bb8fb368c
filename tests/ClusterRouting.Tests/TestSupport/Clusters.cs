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

    /// <summary>
    /// A cluster named <paramref name="name"/> that hedges: up to <paramref name="maxHedges"/> hedges, <paramref name="delay"/> apart,
    /// penalties without jitter (so their ends are exact on a fake clock); <paramref name="configure"/> changes the options last.
    /// </summary>
    public static ClusterSelector Hedged(int memberCount, int maxHedges, TimeSpan delay, TimeProvider time, SelectionMode mode = SelectionMode.Failover, Action<ClusterOptions>? configure = null, string name = "hedge")
    {
        ClusterOptions options = Options(memberCount, mode);
        options.MaxHedgedAttempts = maxHedges;
        options.HedgingDelay = delay;
        options.OfflinePenaltyJitter = 0;
        configure?.Invoke(options);
        return new ClusterSelector(name, options, time);
    }

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
