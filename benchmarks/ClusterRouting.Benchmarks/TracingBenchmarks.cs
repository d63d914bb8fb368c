using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// What tracing costs <see cref="ClusterSelector.ExecuteAsync{TState, TResult}"/> on a 10-member failover cluster whose
/// first member succeeds synchronously: with no listener on the ClusterRouting activity source (the baseline: one
/// HasListeners read, no allocation), and with a listener that records every span (a run span and an attempt span).
/// The listener is process-wide, so it exists only while its own case runs. GuardOnly is the part of NoListener that
/// tracing adds: the entry point's flag read, alone.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class TracingBenchmarks
{
    private static readonly Func<int, MemberLease, CancellationToken, ValueTask<int>> Operation =
        static (offset, lease, _) => new ValueTask<int>(lease.MemberIndex + offset);

    private ClusterSelector _cluster = null!;
    private ActivityListener? _listener;
    private long _spans;

    [GlobalSetup(Targets = [nameof(NoListener), nameof(GuardOnly)])]
    public void SetupQuiet() => _cluster = BenchmarkClusters.AllPoliciesOn(10, SelectionMode.Failover);

    [GlobalSetup(Target = nameof(WithListener))]
    public void SetupListened()
    {
        SetupQuiet();
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ClusterRoutingTelemetry.ActivitySourceName,
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _ => _spans++,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener?.Dispose();
        _listener = null;
        _cluster.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int NoListener() => Run();

    [Benchmark]
    public int WithListener() => Run();

    /// <summary>What a run pays for tracing when nothing listens: the source's HasListeners read, alone.</summary>
    [Benchmark]
    public bool GuardOnly() => ExecutionTracing.StartRun("quiet", primaryOnly: false) is null;

    private int Run()
    {
        ValueTask<int> run = _cluster.ExecuteAsync(1, Operation);
        return run.IsCompletedSuccessfully ? run.Result : run.AsTask().GetAwaiter().GetResult();
    }
}
