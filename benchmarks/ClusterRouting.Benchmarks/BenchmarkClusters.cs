namespace ClusterRouting.Benchmarks;

/// <summary>The clusters the benchmarks measure, built the same way everywhere.</summary>
internal static class BenchmarkClusters
{
    /// <summary>
    /// <paramref name="members"/> members <c>gw-0</c>, <c>gw-1</c>, ... with all three built-in throttle policies on
    /// (CPU 80 %, memory 80 %, 40 concurrent operations) and one sample per member under the thresholds (CPU 20 %,
    /// memory 30 %), so every member is eligible and every policy is evaluated. The first <paramref name="throttled"/>
    /// members report CPU 95 instead, over the threshold. <paramref name="weights"/>, when given, are the members' weights;
    /// <paramref name="configure"/> changes the options last.
    /// </summary>
    public static ClusterSelector AllPoliciesOn(int members, SelectionMode mode, int throttled = 0, int[]? weights = null, Action<ClusterOptions>? configure = null)
    {
        var options = new ClusterOptions
        {
            Mode = mode,
            CPUUtilizationPercentageThreshold = 80,
            MemoryUtilizationPercentageThreshold = 80,
            ConcurrentOperationLimitPreview = 40,
        };
        for (int i = 0; i < members; i++)
        {
            options.Members.Add(new ClusterMemberOptions($"gw-{i}") { Weight = weights?[i] ?? 1 });
        }

        configure?.Invoke(options);
        var cluster = new ClusterSelector("bench", options);
        for (int i = 0; i < members; i++)
        {
            // A throttled member's sample takes it out of the eligible array when it arrives, so a throttled majority
            // costs the hot path nothing to walk past.
            cluster.ReportUtilization($"gw-{i}", i < throttled ? 95 : 20, 30);
        }

        return cluster;
    }

    /// <summary>One select + release; returns the member's position so that nothing is optimized away.</summary>
    public static int SelectAndRelease(ClusterSelector cluster)
    {
        if (cluster.TrySelect(out MemberLease lease))
        {
            lease.Dispose();
        }

        return lease.MemberIndex;
    }
}
