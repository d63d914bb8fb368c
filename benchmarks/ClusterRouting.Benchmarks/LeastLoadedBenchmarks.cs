using BenchmarkDotNet.Attributes;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// <see cref="SelectionMode.LeastLoaded"/> select + release against <see cref="SelectionMode.Random"/> (baseline) on
/// the same cluster shape (all policies on): the target is within 1.3x of Random at 10 members, 0 B. <c>Idle</c>: no
/// lease held, so every member ties and each selection draws among all of them (the most work a scan does).
/// <c>Loaded</c>: member <c>i</c> holds <c>i</c> leases, so the scan finds one least loaded member and draws nothing.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class LeastLoadedBenchmarks
{
    private ClusterSelector _random = null!;
    private ClusterSelector _idle = null!;
    private ClusterSelector _loaded = null!;
    private readonly List<MemberLease> _held = new();

    [Params(3, 10)]
    public int MemberCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _random = BenchmarkClusters.AllPoliciesOn(MemberCount, SelectionMode.Random);
        _idle = BenchmarkClusters.AllPoliciesOn(MemberCount, SelectionMode.LeastLoaded);
        _loaded = BenchmarkClusters.AllPoliciesOn(MemberCount, SelectionMode.LeastLoaded);
        string[] ids = Enumerable.Range(0, MemberCount).Select(i => $"gw-{i}").ToArray();
        for (int i = 0; i < MemberCount; i++)
        {
            string[] others = ids.Where(id => id != ids[i]).ToArray();
            for (int lease = 0; lease < i; lease++)
            {
                _held.Add(_loaded.TrySelect(others, out MemberLease held, out _) ? held : throw new InvalidOperationException("setup"));
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _held.ForEach(l => l.Dispose());
        _random.Dispose();
        _idle.Dispose();
        _loaded.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int Random() => BenchmarkClusters.SelectAndRelease(_random);

    [Benchmark]
    public int LeastLoadedIdle() => BenchmarkClusters.SelectAndRelease(_idle);

    [Benchmark]
    public int LeastLoadedLoaded() => BenchmarkClusters.SelectAndRelease(_loaded);
}
