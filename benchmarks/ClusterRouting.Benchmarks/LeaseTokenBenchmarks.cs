using BenchmarkDotNet.Attributes;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// Select + release while the benchmark thread already holds <see cref="HeldLeases"/> leases: renting a lease token
/// must cost the same however many of the thread's tokens are out.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class LeaseTokenBenchmarks
{
    private ClusterSelector _cluster = null!;
    private MemberLease[] _held = null!;

    [Params(0, 1_023, 16_383)]
    public int HeldLeases { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = new ClusterSelector("bench", new ClusterOptions { Members = { new("gw-0") }, BypassConcurrentOperationLimit = true });
        _held = new MemberLease[HeldLeases];
        for (int i = 0; i < _held.Length; i++)
        {
            _held[i] = _cluster.Select();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (MemberLease lease in _held)
        {
            lease.Dispose();
        }
    }

    [Benchmark]
    public int SelectAndRelease() => BenchmarkClusters.SelectAndRelease(_cluster);
}
