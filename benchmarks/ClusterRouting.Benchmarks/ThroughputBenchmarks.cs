using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// Total throughput of select + release with one and with two threads on one 10-member cluster (all policies on).
/// Every invocation runs <see cref="TotalOperations"/> operations split evenly over the threads, so the time per
/// operation is the inverse of total throughput: with two threads it should be lower than with one, never higher.
/// </summary>
/// <remarks>
/// The baseline is the same loop over shared per-member in-flight counters, the way a router that counts in-flight
/// operations in one field per destination does it (a pick for the mode, then Interlocked increment and decrement on
/// the picked member's counter; the counters are 128 bytes apart, so only true sharing is left): with two threads
/// every write moves a cache line between the cores. For <see cref="SelectionMode.LeastLoaded"/> the pick is YARP's
/// least requests: a scan of the shared counters for the lowest.
/// </remarks>
[MedianColumn]
public class ThroughputBenchmarks
{
    public const int TotalOperations = 200_000;
    private const int Members = 10;
    private const int Limit = 40;
    private const int Spacing = 32;

    private ClusterSelector _cluster = null!;
    private int[] _sharedCounters = null!;
    private int _sharedCursor = -1;
    private Barrier? _barrier;
    private Thread[] _helpers = [];
    private volatile bool _stopping;
    private volatile bool _runShared;

    [Params(1, 2)]
    public int Threads { get; set; }

    [Params(SelectionMode.Failover, SelectionMode.Random, SelectionMode.RoundRobin, SelectionMode.LeastLoaded)]
    public SelectionMode Mode { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _cluster = BenchmarkClusters.AllPoliciesOn(Members, Mode);
        _sharedCounters = new int[(Members + 1) * Spacing];
        if (Threads > 1)
        {
            _barrier = new Barrier(Threads);
            _helpers = Enumerable.Range(1, Threads - 1).Select(_ => new Thread(HelperLoop) { IsBackground = true }).ToArray();
            foreach (Thread helper in _helpers)
            {
                helper.Start();
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stopping = true;
        _barrier?.SignalAndWait();
        foreach (Thread helper in _helpers)
        {
            helper.Join();
        }

        _barrier?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalOperations)]
    public int SharedCounters()
    {
        _runShared = true;
        return RunOnEveryThread();
    }

    [Benchmark(OperationsPerInvoke = TotalOperations)]
    public int ClusterRouting()
    {
        _runShared = false;
        return RunOnEveryThread();
    }

    private int RunOnEveryThread()
    {
        if (_barrier is null)
        {
            return RunShare();
        }

        _barrier.SignalAndWait();
        int result = RunShare();
        _barrier.SignalAndWait();
        return result;
    }

    private void HelperLoop()
    {
        while (true)
        {
            _barrier!.SignalAndWait();
            if (_stopping)
            {
                return;
            }

            RunShare();
            _barrier.SignalAndWait();
        }
    }

    // Compiled optimized at once: this loop runs 200,000 times per call, so it would otherwise be entered through
    // on-stack replacement and re-tiered mid-measurement, which made single-thread figures jump by half between
    // BenchmarkDotNet's warm-up and measured iterations.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int RunShare()
    {
        int operations = TotalOperations / Threads;
        int sum = 0;
        if (_runShared)
        {
            for (int i = 0; i < operations; i++)
            {
                sum += SharedSelectAndRelease();
            }
        }
        else
        {
            ClusterSelector cluster = _cluster;
            for (int i = 0; i < operations; i++)
            {
                sum += SelectAndRelease(cluster);
            }
        }

        return sum;
    }

    // Out of line, as BenchmarkDotNet calls a single-operation benchmark, so both loops measure the same code.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int SelectAndRelease(ClusterSelector cluster) => BenchmarkClusters.SelectAndRelease(cluster);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int SharedSelectAndRelease()
    {
        int[] counters = _sharedCounters;
        int chosen;
        switch (Mode)
        {
            case SelectionMode.Failover:
                chosen = -1;
                for (int i = 0; i < Members; i++)
                {
                    if (Volatile.Read(ref counters[(i + 1) * Spacing]) < Limit)
                    {
                        chosen = i;
                        break;
                    }
                }

                break;
            case SelectionMode.Random:
#pragma warning disable CA5394 // A uniform spread is all that is needed here, not unpredictability.
                chosen = Random.Shared.Next(Members);
#pragma warning restore CA5394
                break;
            case SelectionMode.LeastLoaded:
                // YARP's least requests: the destination with the lowest shared in-flight count.
                chosen = 0;
                int lowest = Volatile.Read(ref counters[Spacing]);
                for (int i = 1; i < Members; i++)
                {
                    int count = Volatile.Read(ref counters[(i + 1) * Spacing]);
                    if (count < lowest)
                    {
                        lowest = count;
                        chosen = i;
                    }
                }

                break;
            default:
                chosen = (Interlocked.Increment(ref _sharedCursor) & int.MaxValue) % Members;
                break;
        }

        if (chosen < 0)
        {
            return -1;
        }

        Interlocked.Increment(ref counters[(chosen + 1) * Spacing]);
        Interlocked.Decrement(ref counters[(chosen + 1) * Spacing]);
        return chosen;
    }
}
