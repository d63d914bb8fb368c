using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Throttling;

[Trait("Category", "Slow")]
public class ConcurrencyLimitStressTests
{
    [Theory]
    [InlineData(SelectionMode.Failover)]
    [InlineData(SelectionMode.Random)]
    [InlineData(SelectionMode.RoundRobin)]
    [InlineData(SelectionMode.LeastLoaded)]
    public async Task ManyThreads_InFlightNeverExceedsTheLimitNorGoesNegative_AndReturnsToZero(SelectionMode mode)
    {
        const int Limit = 3;
        const int Threads = 4;
        const int SelectionsPerThread = 50_000;
        ClusterOptions options = Clusters.Options(3, mode);
        options.ConcurrentOperationLimitPreview = Limit;
        var cluster = new ClusterSelector("stress", options);
        MemberState[] states = cluster.Snapshot.Members.Select(m => m.State).ToArray();

        // The leases held on each member, counted in by the holder right after acquiring and out right before
        // releasing: never more than the library admitted, so exceeding the limit here means the library did.
        // (InFlight is a sum of per-thread stripes read one after another, not one instant's reading.)
        var held = new int[states.Length];
        int violations = 0;
        int throttledFailures = 0;
        using var stop = new CancellationTokenSource();

        // A watcher samples every counter continuously while the workers run, on a thread of its own so that it does
        // not hold one of the pool's threads for the whole test.
        Task watcher = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                for (int m = 0; m < states.Length; m++)
                {
                    if (states[m].InFlight < 0 || Volatile.Read(ref held[m]) > Limit)
                    {
                        Interlocked.Increment(ref violations);
                    }
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        using var start = new Barrier(Threads);
        Task[] workers = Enumerable.Range(0, Threads).Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait(TimeSpan.FromSeconds(30));
            var leases = new Queue<MemberLease>();
            for (int i = 0; i < SelectionsPerThread; i++)
            {
                if (cluster.TrySelect(out MemberLease lease, out SelectionFailure failure))
                {
                    leases.Enqueue(lease);
                    if (Interlocked.Increment(ref held[lease.MemberIndex]) > Limit || lease.Member!.InFlight < 1)
                    {
                        Interlocked.Increment(ref violations);
                    }
                }
                else if (failure.IsThrottled)
                {
                    Interlocked.Increment(ref throttledFailures);
                }

                // Each thread holds up to ten leases, more than the 9 slots there are, so even threads that happen
                // to run one after another hit the limit; the oldest is released first, and sometimes twice.
                if (leases.Count >= 10 || (i + t) % 5 == 0)
                {
                    if (leases.TryDequeue(out MemberLease done))
                    {
                        Interlocked.Decrement(ref held[done.MemberIndex]);
                        done.Dispose();
                        if (i % 7 == 0)
                        {
                            done.Dispose();
                        }
                    }
                }
            }

            while (leases.TryDequeue(out MemberLease rest))
            {
                Interlocked.Decrement(ref held[rest.MemberIndex]);
                rest.Dispose();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));
        stop.Cancel();
        await watcher.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, violations);
        Assert.True(throttledFailures > 0, "the limit was never reached, so the test proved nothing");
        Assert.All(states, s => Assert.Equal(0, s.InFlight));
    }
}
