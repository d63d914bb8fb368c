using BenchmarkDotNet.Attributes;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// Select + release with member weights (4, 16, 8, 4, 12, 16, 4, 8, 16, 12: gateway machines of 4 to 16 cores) against
/// the same cluster with every weight 1, per mode, 10 members, all policies on. Unweighted (baseline): the selection
/// every cluster ran before weights existed; Weighted: Random draws from the smooth weighted order, RoundRobin walks it.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class WeightBenchmarks
{
    private static readonly int[] Weights = [4, 16, 8, 4, 12, 16, 4, 8, 16, 12];

    private ClusterSelector _unweighted = null!;
    private ClusterSelector _weighted = null!;

    [Params(SelectionMode.Random, SelectionMode.RoundRobin)]
    public SelectionMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _unweighted = BenchmarkClusters.AllPoliciesOn(Weights.Length, Mode);
        _weighted = BenchmarkClusters.AllPoliciesOn(Weights.Length, Mode, weights: Weights);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _unweighted.Dispose();
        _weighted.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int Unweighted() => BenchmarkClusters.SelectAndRelease(_unweighted);

    [Benchmark]
    public int Weighted() => BenchmarkClusters.SelectAndRelease(_weighted);
}
