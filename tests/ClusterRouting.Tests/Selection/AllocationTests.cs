using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Selection;

/// <summary>
/// The hot path must allocate nothing. BenchmarkDotNet's dry job reports 0 B even for code that allocates, so the
/// gate is here: GC.GetAllocatedBytesForCurrentThread over many calls after a warm-up.
/// </summary>
[Collection(AllocationGates.Name)]
public class AllocationTests
{
    private const int Operations = 100_000;

    [Theory]
    [InlineData(SelectionMode.Failover)]
    [InlineData(SelectionMode.Random)]
    [InlineData(SelectionMode.RoundRobin)]
    [InlineData(SelectionMode.LeastLoaded)]
    public void SelectAndRelease_AfterWarmUp_AllocatesNothing(SelectionMode mode)
    {
        ClusterSelector cluster = Clusters.Create(10, mode);

        long allocated = Measure(() =>
        {
            if (cluster.TrySelect(out MemberLease lease, out _))
            {
                lease.Dispose();
            }
        });

        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(SelectionMode.Failover)]
    [InlineData(SelectionMode.Random)]
    [InlineData(SelectionMode.RoundRobin)]
    [InlineData(SelectionMode.LeastLoaded)]
    public void TrySelect_NoEligibleMember_FailsWithoutAllocating(SelectionMode mode)
    {
        ClusterSelector cluster = Clusters.Create(10, mode);
        for (int i = 0; i < 10; i++)
        {
            cluster.SetMemberEnabled($"gw-{i}", false);
        }

        long allocated = Measure(() =>
        {
            if (!cluster.TrySelect(out _, out SelectionFailure failure) && failure.GetRejection(3).Reason != MemberRejectionReason.Disabled)
            {
                throw new InvalidOperationException("unexpected reason");
            }
        });

        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(SelectionMode.Failover, 0)]
    [InlineData(SelectionMode.Random, 0)]
    [InlineData(SelectionMode.RoundRobin, 0)]
    [InlineData(SelectionMode.Failover, 9)]
    [InlineData(SelectionMode.Random, 9)]
    [InlineData(SelectionMode.RoundRobin, 9)]
    [InlineData(SelectionMode.Failover, 10)]
    [InlineData(SelectionMode.Random, 10)]
    [InlineData(SelectionMode.RoundRobin, 10)]
    [InlineData(SelectionMode.LeastLoaded, 0)]
    [InlineData(SelectionMode.LeastLoaded, 9)]
    [InlineData(SelectionMode.LeastLoaded, 10)]
    public void SelectAndRelease_AllBuiltInPoliciesOn_AllocatesNothing(SelectionMode mode, int throttled)
    {
        ClusterOptions options = Clusters.Options(10, mode);
        options.CPUUtilizationPercentageThreshold = 80;
        options.MemoryUtilizationPercentageThreshold = 80;
        var cluster = new ClusterSelector("throttled", options);
        for (int i = 0; i < 10; i++)
        {
            cluster.ReportUtilization($"gw-{i}", i < throttled ? 95 : 20, 30);
        }

        long allocated = Measure(() =>
        {
            bool selected = cluster.TrySelect(out MemberLease lease, out SelectionFailure failure);
            if (selected == (throttled == 10) || (!selected && !failure.IsThrottled))
            {
                throw new InvalidOperationException("unexpected outcome");
            }

            lease.Dispose();
        });

        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(SelectionMode.Failover)]
    [InlineData(SelectionMode.Random)]
    [InlineData(SelectionMode.RoundRobin)]
    [InlineData(SelectionMode.LeastLoaded)]
    public void ExecuteAsync_FirstAttemptSucceedsSynchronously_AllocatesNothing(SelectionMode mode)
    {
        ClusterSelector cluster = Clusters.Create(10, mode);
        Func<int, MemberLease, CancellationToken, ValueTask<int>> operation = static (state, lease, _) => new ValueTask<int>(state + lease.MemberIndex);

        long allocated = Measure(() =>
        {
            ValueTask<int> run = cluster.ExecuteAsync(1, operation, CancellationToken.None);
            if (!run.IsCompletedSuccessfully || run.Result < 1)
            {
                throw new InvalidOperationException("expected a synchronous success");
            }
        });

        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(SelectionMode.Failover, false)]
    [InlineData(SelectionMode.Random, false)]
    [InlineData(SelectionMode.RoundRobin, false)]
    [InlineData(SelectionMode.LeastLoaded, false)]
    [InlineData(SelectionMode.Failover, true)]
    public void ExecuteAsync_HedgingOn_FirstAttemptSucceedsSynchronously_AllocatesNothing(SelectionMode mode, bool cancellableCaller)
    {
        ClusterOptions options = Clusters.Options(10, mode);
        options.MaxHedgedAttempts = 2;
        options.HedgingDelay = TimeSpan.FromMilliseconds(50);
        var cluster = new ClusterSelector("hedged", options);
        using var caller = new CancellationTokenSource();
        CancellationToken token = cancellableCaller ? caller.Token : CancellationToken.None;
        Func<int, MemberLease, CancellationToken, ValueTask<int>> operation = static (state, lease, ct) =>
            ct.CanBeCanceled ? new ValueTask<int>(state + lease.MemberIndex) : throw new InvalidOperationException("a hedged attempt gets a token that can be cancelled");

        long allocated = Measure(() =>
        {
            ValueTask<int> run = cluster.ExecuteAsync(1, operation, token);
            if (!run.IsCompletedSuccessfully || run.Result < 1)
            {
                throw new InvalidOperationException("expected a synchronous success");
            }
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void RandomRedraw_AfterABusyMember_AllocatesNothing()
    {
        int stripe = 0;
        ClusterSnapshot snapshot = Snapshots.Create(10, concurrencyLimit: 1, SelectionMode.Random);
        for (int i = 0; i < 9; i++)
        {
            Snapshots.Saturate(snapshot, i);
        }

        RandomSource random = RandomSource.Shared;
        long allocated = Measure(() =>
        {
            int chosen = RandomSelection.Select(snapshot.Eligible, random is RandomSource.SharedRandomSource ? null : random, LeaseThread.Current, default(NoFilter), stripe).Position;
            snapshot.Eligible[chosen].Slots.Release(stripe);
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void NestedLeases_AfterWarmUp_AllocateNothing()
    {
        ClusterSelector cluster = Clusters.Create(3, SelectionMode.RoundRobin);

        long allocated = Measure(() =>
        {
            MemberLease a = cluster.Select();
            MemberLease b = cluster.Select();
            MemberLease c = cluster.Select();
            c.Dispose();
            a.Dispose();
            b.Dispose();
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ManyLeasesHeldAtOnce_AfterWarmUp_AllocateNothing()
    {
        var options = Clusters.Options(10, SelectionMode.RoundRobin);
        options.BypassConcurrentOperationLimit = true;
        var cluster = new ClusterSelector("many", options);
        var held = new MemberLease[1_000];

        long allocated = Measure(
            () =>
            {
                for (int i = 0; i < held.Length; i++)
                {
                    held[i] = cluster.Select();
                }

                for (int i = 0; i < held.Length; i++)
                {
                    held[i].Dispose();
                }
            },
            warmUp: 5,
            operations: 100);

        Assert.Equal(0, allocated);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public void LeasesEndedOnAnotherThread_AfterWarmUp_AllocateNothingOnEitherThread()
    {
        ClusterSelector cluster = Clusters.Create(10, SelectionMode.Random);
        var handOff = new SpscRing(256);
        const int Rounds = 200_000;
        long producerBytes = -1;
        long consumerBytes = -1;

        var producer = new Thread(() =>
        {
            // At most 258 leases are ever out (256 in the hand-off, one being added, one being ended). Growing the
            // thread's token ring past that first means a consumer that falls behind during the measured half, on a
            // loaded machine, cannot make the ring grow there.
            MemberLease[] growRing = Enumerable.Range(0, 300).Select(_ => cluster.Select()).ToArray();
            Array.ForEach(growRing, lease => lease.Dispose());

            long start = 0;
            for (int i = 0; i < Rounds; i++)
            {
                if (i == Rounds / 2)
                {
                    start = GC.GetAllocatedBytesForCurrentThread();
                }

                handOff.Add(cluster.Select());
            }

            producerBytes = GC.GetAllocatedBytesForCurrentThread() - start;
        });
        var consumer = new Thread(() =>
        {
            long start = 0;
            for (int taken = 1; taken <= Rounds; taken++)
            {
                if (taken == Rounds / 2)
                {
                    start = GC.GetAllocatedBytesForCurrentThread();
                }

                handOff.Take().Dispose();
            }

            consumerBytes = GC.GetAllocatedBytesForCurrentThread() - start;
        });

        producer.Start();
        consumer.Start();
        Assert.True(producer.Join(TimeSpan.FromSeconds(60)) && consumer.Join(TimeSpan.FromSeconds(60)), "hand-off threads did not finish");

        Assert.Equal(0, producerBytes);
        Assert.Equal(0, consumerBytes);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    private static long Measure(Action operation, int warmUp = 10_000, int operations = Operations)
    {
        for (int i = 0; i < warmUp; i++)
        {
            operation();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < operations; i++)
        {
            operation();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>A single-producer, single-consumer ring that allocates nothing, so the measurement sees only the library.</summary>
    private sealed class SpscRing(int capacity)
    {
        private readonly MemberLease[] _items = new MemberLease[capacity];
        private long _head;
        private long _tail;

        public void Add(MemberLease lease)
        {
            var spin = default(SpinWait);
            while (Volatile.Read(ref _tail) - Volatile.Read(ref _head) == _items.Length)
            {
                spin.SpinOnce();
            }

            _items[_tail % _items.Length] = lease;
            Volatile.Write(ref _tail, _tail + 1);
        }

        public MemberLease Take()
        {
            var spin = default(SpinWait);
            while (Volatile.Read(ref _head) == Volatile.Read(ref _tail))
            {
                spin.SpinOnce();
            }

            MemberLease lease = _items[_head % _items.Length];
            Volatile.Write(ref _head, _head + 1);
            return lease;
        }
    }
}
