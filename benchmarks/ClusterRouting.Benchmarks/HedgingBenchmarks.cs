using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Polly;
using Polly.Hedging;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// Hedging, against Polly v8's hedging strategy (Polly.Core, <c>AddHedging</c>, one hedged attempt) doing the same
/// work: each attempt selects a member of the same cluster (10 members, all policies on, Failover) that the run has not
/// tried, runs the operation on it and releases the lease. Polly is the baseline of each category.
/// <list type="bullet">
/// <item><c>FirstSucceeds</c>: the operation returns a completed result. ClusterRouting with hedging off is the floor:
/// hedging on should add nothing measurable and allocate nothing.</item>
/// <item><c>HedgeWins</c>: on the primary the operation returns a task that ends only when its token is cancelled; on
/// any other member it returns a completed result. The hedging delay is zero in both, so the hedge starts as soon as
/// the first attempt is seen pending (no timer, no wall-clock wait): the hedge wins, the first attempt is cancelled
/// and awaited, its lease released.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class HedgingBenchmarks
{
    private static readonly string[] Primary = ["gw-0"];

    private ClusterSelector _unhedged = null!;
    private ClusterSelector _hedged = null!;
    private ClusterSelector _hedgedAtOnce = null!;
    private ClusterSelector _plain = null!;
    private ResiliencePipeline<int> _polly = null!;
    private ResiliencePipeline<int> _pollyAtOnce = null!;

    [GlobalSetup]
    public void Setup()
    {
        _unhedged = BenchmarkClusters.AllPoliciesOn(10, SelectionMode.Failover);
        _hedged = BenchmarkClusters.AllPoliciesOn(10, SelectionMode.Failover, configure: o =>
        {
            o.MaxHedgedAttempts = 1;
            o.HedgingDelay = TimeSpan.FromSeconds(2);
        });
        _hedgedAtOnce = BenchmarkClusters.AllPoliciesOn(10, SelectionMode.Failover, configure: o =>
        {
            o.MaxHedgedAttempts = 1;
            o.HedgingDelay = TimeSpan.Zero;
        });
        _plain = BenchmarkClusters.AllPoliciesOn(10, SelectionMode.Failover);
        _polly = Pipeline(TimeSpan.FromSeconds(2), Completed);
        _pollyAtOnce = Pipeline(TimeSpan.Zero, PendingOnThePrimary);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _unhedged.Dispose();
        _hedged.Dispose();
        _hedgedAtOnce.Dispose();
        _plain.Dispose();
    }

    [BenchmarkCategory("FirstSucceeds")]
    [Benchmark(Baseline = true)]
    public int PollyFirstSucceeds() => RunPolly(_polly, Completed);

    [BenchmarkCategory("FirstSucceeds")]
    [Benchmark]
    public int ClusterRoutingUnhedgedFirstSucceeds() => Run(_unhedged, Completed);

    [BenchmarkCategory("FirstSucceeds")]
    [Benchmark]
    public int ClusterRoutingHedgedFirstSucceeds() => Run(_hedged, Completed);

    [BenchmarkCategory("HedgeWins")]
    [Benchmark(Baseline = true)]
    public int PollyHedgeWins() => RunPolly(_pollyAtOnce, PendingOnThePrimary);

    [BenchmarkCategory("HedgeWins")]
    [Benchmark]
    public int ClusterRoutingHedgeWins() => Run(_hedgedAtOnce, PendingOnThePrimary);

    /// <summary>The operation of <c>FirstSucceeds</c>: a completed result.</summary>
    private static ValueTask<int> Completed(MemberLease lease, CancellationToken cancellationToken) => new(lease.MemberIndex + 1);

    /// <summary>The operation of <c>HedgeWins</c>: pending until cancelled on the primary, a completed result elsewhere.</summary>
    private static ValueTask<int> PendingOnThePrimary(MemberLease lease, CancellationToken cancellationToken)
    {
        if (lease.MemberIndex != 0)
        {
            return new ValueTask<int>(lease.MemberIndex + 1);
        }

        // Continuations inline: the cancelled attempt ends inside the cancellation, in both libraries.
        var pending = new TaskCompletionSource<int>();
        cancellationToken.UnsafeRegister(static (s, ct) => ((TaskCompletionSource<int>)s!).TrySetCanceled(ct), pending);
        return new ValueTask<int>(pending.Task);
    }

    private static int Run(ClusterSelector cluster, Func<MemberLease, CancellationToken, ValueTask<int>> operation)
    {
        ValueTask<int> run = cluster.ExecuteAsync(operation);
        return run.IsCompletedSuccessfully ? run.Result : run.AsTask().GetAwaiter().GetResult();
    }

    private int RunPolly(ResiliencePipeline<int> pipeline, Func<MemberLease, CancellationToken, ValueTask<int>> operation)
    {
        ResilienceContext context = ResilienceContextPool.Shared.Get();
        try
        {
            ValueTask<int> run = pipeline.ExecuteAsync(
                static (context, state) => Attempt(state.Cluster, excluded: [], state.Operation, context.CancellationToken),
                context,
                (Cluster: _plain, Operation: operation));
            return run.IsCompletedSuccessfully ? run.Result : run.AsTask().GetAwaiter().GetResult();
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Polly's hedging, one hedged attempt; the hedge runs the same operation on a member other than the primary, which the first attempt took.</summary>
    private ResiliencePipeline<int> Pipeline(TimeSpan delay, Func<MemberLease, CancellationToken, ValueTask<int>> operation) => new ResiliencePipelineBuilder<int>()
        .AddHedging(new HedgingStrategyOptions<int>
        {
            MaxHedgedAttempts = 1,
            Delay = delay,
            ActionGenerator = args => () => AttemptOutcome(_plain, Primary, operation, args.ActionContext.CancellationToken),
        })
        .Build();

    /// <summary>One attempt: select a member not excluded, run the operation on it, release the lease when it ends.</summary>
    private static async ValueTask<int> Attempt(ClusterSelector cluster, string[] excluded, Func<MemberLease, CancellationToken, ValueTask<int>> operation, CancellationToken cancellationToken)
    {
        if (!cluster.TrySelect(excluded, out MemberLease lease, out SelectionFailure failure))
        {
            throw failure.ToException();
        }

        using (lease)
        {
            return await operation(lease, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async ValueTask<Outcome<int>> AttemptOutcome(ClusterSelector cluster, string[] excluded, Func<MemberLease, CancellationToken, ValueTask<int>> operation, CancellationToken cancellationToken)
    {
        try
        {
            return Outcome.FromResult(await Attempt(cluster, excluded, operation, cancellationToken).ConfigureAwait(false));
        }
#pragma warning disable CA1031 // Polly takes the exception as an outcome.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Outcome.FromException<int>(ex);
        }
    }
}
