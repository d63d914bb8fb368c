using BenchmarkDotNet.Attributes;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// <see cref="ClusterSelector.ExecuteAsync{TState, TResult}"/> when the first member succeeds and the operation
/// returns a completed <see cref="ValueTask{TResult}"/>: select, run, report the outcome and release, with failover
/// ready but not needed. Against the bare select + release on the same cluster shape (10 members, all policies on).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ExecuteBenchmarks
{
    private static readonly Func<int, MemberLease, CancellationToken, ValueTask<int>> Operation =
        static (offset, lease, _) => new ValueTask<int>(lease.MemberIndex + offset);

    private ClusterSelector _cluster = null!;

    [Params(SelectionMode.Failover, SelectionMode.Random, SelectionMode.RoundRobin)]
    public SelectionMode Mode { get; set; }

    [GlobalSetup]
    public void Setup() => _cluster = BenchmarkClusters.AllPoliciesOn(10, Mode);

    [Benchmark(Baseline = true)]
    public int SelectAndRelease() => BenchmarkClusters.SelectAndRelease(_cluster);

    [Benchmark]
    public int ExecuteAsyncCompleted()
    {
        ValueTask<int> run = _cluster.ExecuteAsync(1, Operation);
        return run.IsCompletedSuccessfully ? run.Result : run.AsTask().GetAwaiter().GetResult();
    }
}
