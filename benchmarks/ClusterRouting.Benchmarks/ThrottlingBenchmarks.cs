using BenchmarkDotNet.Attributes;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// Select + release on 10 members with all three built-in policies on (CPU 80 %, memory 80 %, 40 concurrent
/// operations): a healthy cluster (the baseline), 9 of 10 members over the CPU threshold, and the failure value when
/// every member is throttled (no exception).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ThrottlingBenchmarks
{
    private const int Members = 10;

    private ClusterSelector _healthy = null!;
    private ClusterSelector _nineThrottled = null!;
    private ClusterSelector _allThrottled = null!;

    [Params(SelectionMode.Failover, SelectionMode.Random, SelectionMode.RoundRobin)]
    public SelectionMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _healthy = Create(throttled: 0);
        _nineThrottled = Create(throttled: 9);
        _allThrottled = Create(throttled: Members);
    }

    [Benchmark(Baseline = true)]
    public int Healthy() => SelectAndRelease(_healthy);

    [Benchmark]
    public int NineOfTenThrottled() => SelectAndRelease(_nineThrottled);

    [Benchmark]
    public int AllThrottledFailure()
    {
        bool selected = _allThrottled.TrySelect(out MemberLease lease, out SelectionFailure failure);
        lease.Dispose();
        return selected ? -1 : failure.MemberCount;
    }

    private static int SelectAndRelease(ClusterSelector cluster)
    {
        if (cluster.TrySelect(out MemberLease lease))
        {
            lease.Dispose();
        }

        return lease.MemberIndex;
    }

    private ClusterSelector Create(int throttled)
    {
        var options = new ClusterOptions
        {
            Mode = Mode,
            CPUUtilizationPercentageThreshold = 80,
            MemoryUtilizationPercentageThreshold = 80,
            ConcurrentOperationLimitPreview = 40,
        };
        for (int i = 0; i < Members; i++)
        {
            options.Members.Add(new ClusterMemberOptions($"gw-{i}"));
        }

        var cluster = new ClusterSelector("bench", options);
        for (int i = 0; i < Members; i++)
        {
            // The first members are the throttled ones. Their samples take them out of the eligible array when they
            // arrive, so this measures that a throttled majority costs the hot path nothing, not a walk past them.
            cluster.ReportUtilization($"gw-{i}", i < throttled ? 95 : 20, 30);
        }

        return cluster;
    }
}
