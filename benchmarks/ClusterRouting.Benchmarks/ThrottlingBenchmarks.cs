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
        _healthy = BenchmarkClusters.AllPoliciesOn(Members, Mode, throttled: 0);
        _nineThrottled = BenchmarkClusters.AllPoliciesOn(Members, Mode, throttled: 9);
        _allThrottled = BenchmarkClusters.AllPoliciesOn(Members, Mode, throttled: Members);
    }

    [Benchmark(Baseline = true)]
    public int Healthy() => BenchmarkClusters.SelectAndRelease(_healthy);

    [Benchmark]
    public int NineOfTenThrottled() => BenchmarkClusters.SelectAndRelease(_nineThrottled);

    [Benchmark]
    public int AllThrottledFailure()
    {
        bool selected = _allThrottled.TrySelect(out MemberLease lease, out SelectionFailure failure);
        lease.Dispose();
        return selected ? -1 : failure.MemberCount;
    }
}
