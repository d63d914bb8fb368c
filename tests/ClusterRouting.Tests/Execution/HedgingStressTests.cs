using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Execution;

/// <summary>
/// Hedged runs on the real clock from several threads at once, with attempts that succeed, fail offline, refuse, throw
/// or hang until cancelled (each run has a deadline of its own for when only those are left), while the membership changes and members are reported on: every run must end (a hard
/// timeout turns a hang into a failure), with the outcome its attempts allow, and every lease must come back.
/// </summary>
public class HedgingStressTests
{
    [Theory]
    [InlineData(SelectionMode.Failover)]
    [InlineData(SelectionMode.Random)]
    [InlineData(SelectionMode.LeastLoaded)]
    public async Task ManyConcurrentHedgedRuns_AllEnd_AndEveryLeaseComesBack(SelectionMode mode)
    {
        ClusterOptions options = Clusters.Options(5, mode);
        options.MaxHedgedAttempts = 2;
        options.HedgingDelay = TimeSpan.FromMilliseconds(1);
        options.ConcurrentOperationLimitPreview = 8;
        options.OfflinePenaltyBaseDuration = TimeSpan.FromMilliseconds(5);
        options.OfflinePenaltyMaxDuration = TimeSpan.FromMilliseconds(20);
        options.SlowStartWindow = TimeSpan.FromMilliseconds(30);
        options.MemberRefusalCoolDown = TimeSpan.FromMilliseconds(5);
        using var cluster = new ClusterSelector("stress", options);
        using var stop = new CancellationTokenSource();
        int expectedErrors = 0;
        int successes = 0;

        Task churn = Task.Run(async () =>
        {
            var random = new Random(7);
            while (!stop.IsCancellationRequested)
            {
                string id = $"gw-{random.Next(5)}";
                switch (random.Next(6))
                {
                    case 0:
                        cluster.SetMemberEnabled(id, false);
                        break;
                    case 1:
                    case 2:
                        cluster.ReportSuccess(id);
                        break;
                    case 3:
                        cluster.ReportOffline(id);
                        break;
                    default:
                        cluster.SetMemberEnabled(id, true);
                        break;
                }

                await Task.Delay(10);
            }
        });

        Task[] workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            for (int i = 0; i < 150; i++)
            {
                int seed = random.Next();

                // An attempt that hangs ends only when cancelled: by a winner, or by this deadline when none wins.
                using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
                try
                {
                    int result = await cluster.ExecuteAsync(seed, static async (seed, lease, ct) =>
                    {
                        var local = new Random(seed ^ lease.MemberIndex);
                        switch (local.Next(9) switch { 6 or 7 => 1, 8 => 0, int other => other })
                        {
                            case 0:
                                return lease.MemberIndex;
                            case 1:
                                await Task.Delay(local.Next(0, 3), ct);
                                return lease.MemberIndex;
                            case 2:
                                await Task.Yield();
                                throw new MemberOfflineException("down");
                            case 3:
                                throw new MemberRefusedException(ThrottleLimitKind.Concurrency);
                            case 4:
                                await Task.Delay(Timeout.Infinite, ct); // hangs until a winner cancels it
                                return -1;
                            default:
                                await Task.Delay(local.Next(0, 2), ct);
                                throw new InvalidOperationException("the operation's own error");
                        }
                    }, deadline.Token);
                    Assert.InRange(result, 0, 4);
                    Interlocked.Increment(ref successes);
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref expectedErrors);
                }
                catch (Exception ex) when (ex is NoMemberAvailableException or AllMembersFailedException)
                {
                    // Every member tried, disabled or penalized: an expected end of a run.
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested)
                {
                    // Only hanging attempts were left.
                }
            }
        })).ToArray();

        Task all = Task.WhenAll(workers);
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))));
        await all;
        await stop.CancelAsync();
        await churn;

        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
        Assert.True(successes > 0 && expectedErrors > 0, $"{successes} runs succeeded and {expectedErrors} ended with the operation's own error: the stress should see both");
    }
}
