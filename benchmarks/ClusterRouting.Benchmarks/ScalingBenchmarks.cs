using BenchmarkDotNet.Attributes;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// Select + release against the number of members, 1 to 1,000, in every mode, on a healthy cluster with all three
/// built-in policies on. Clusters over 10 members are outside the gateway model (the library logs a warning and keeps
/// working); they are here to show that the cost does not grow with the member count.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ScalingBenchmarks
{
    private ClusterSelector _cluster = null!;

    [Params(1, 3, 10, 100, 1000)]
    public int MemberCount { get; set; }

    [Params(SelectionMode.Failover, SelectionMode.Random, SelectionMode.RoundRobin, SelectionMode.LeastLoaded)]
    public SelectionMode Mode { get; set; }

    [GlobalSetup]
    public void Setup() => _cluster = BenchmarkClusters.AllPoliciesOn(MemberCount, Mode);

    [Benchmark]
    public int SelectAndRelease() => BenchmarkClusters.SelectAndRelease(_cluster);
}
