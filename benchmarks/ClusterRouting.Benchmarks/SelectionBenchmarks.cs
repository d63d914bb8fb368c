using BenchmarkDotNet.Attributes;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// One selection plus the release of its lease, the hot path of every routed operation, with every built-in policy on,
/// against the hardware floor of that work: a random draw, an array read and an Interlocked increment + decrement pair.
/// </summary>
[MemoryDiagnoser]
[MedianColumn] // The machine is shared: medians resist noise better than means.
public class SelectionBenchmarks
{
    private ClusterSelector _cluster = null!;
    private int[] _memberIndexes = null!;
    private int _inFlight;

    [Params(1, 3, 10)]
    public int MemberCount { get; set; }

    [Params(SelectionMode.Failover, SelectionMode.Random, SelectionMode.RoundRobin)]
    public SelectionMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _memberIndexes = Enumerable.Range(0, MemberCount).ToArray();
        _cluster = BenchmarkClusters.AllPoliciesOn(MemberCount, Mode);
    }

    [GlobalCleanup]
    public void Cleanup() => _cluster.Dispose();

    // The floor of a select + release that counts in-flight operations (measured at about 19 ns on this kind of machine when the project began). It does not depend
    // on Mode; BenchmarkDotNet runs it once per parameter set so that each row has a baseline of its own.
    [Benchmark(Baseline = true)]
    public int HardwareFloor()
    {
#pragma warning disable CA5394 // A uniform spread is all that is measured here, not unpredictability.
        int index = _memberIndexes[Random.Shared.Next(_memberIndexes.Length)];
#pragma warning restore CA5394
        Interlocked.Increment(ref _inFlight);
        Interlocked.Decrement(ref _inFlight);
        return index;
    }

    [Benchmark]
    public int SelectAndRelease() => BenchmarkClusters.SelectAndRelease(_cluster);
}
