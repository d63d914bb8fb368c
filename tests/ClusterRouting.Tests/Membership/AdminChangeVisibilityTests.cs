using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Membership;

/// <summary>
/// The documented guarantee for admin changes made while other threads select: a selection that starts after
/// <c>SetMemberEnabled(id, false)</c> (or a lowered limit) returned never picks the member (or goes over the new
/// limit); a selection already running may still finish under the state before the change.
/// </summary>
[Trait("Category", "Stress")]
public class AdminChangeVisibilityTests
{
    private static readonly TimeSpan HardLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Disable_SelectionsStartedAfterItReturned_NeverPickTheMember()
    {
        const int Rounds = 200;
        int violations = 0;
        for (int round = 0; round < Rounds; round++)
        {
            using ClusterSelector cluster = new("visibility", Clusters.Options(3, SelectionMode.RoundRobin));
            int returned = 0;
            using var go = new ManualResetEventSlim();
            Task[] selectors = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    go.Wait();
                    for (int i = 0; i < 2_000; i++)
                    {
                        bool after = Volatile.Read(ref returned) == 1;
                        if (cluster.TrySelect(out MemberLease lease))
                        {
                            if (after && lease.MemberId == "gw-0")
                            {
                                Interlocked.Increment(ref violations);
                            }

                            lease.Dispose();
                        }
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)).ToArray();

            go.Set();
            Thread.SpinWait(round * 50);
            Assert.True(cluster.SetMemberEnabled("gw-0", enabled: false));
            Volatile.Write(ref returned, 1);
            await Task.WhenAll(selectors).WaitAsync(HardLimit);
        }

        Assert.Equal(0, violations);
    }

    [Fact]
    public async Task LimitLowered_SelectionsStartedAfterItReturned_AreAdmittedOnlyUnderTheNewLimit()
    {
        using ClusterSelector cluster = new("visibility", new ClusterOptions { Members = { new("gw-0") }, ConcurrentOperationLimitPreview = 8 });
        List<MemberLease> held = await OnOwnThread(() => Enumerable.Range(0, 5).Select(_ => cluster.Select()).ToList());

        cluster.Reconfigure(new ClusterOptions { Members = { new("gw-0") }, ConcurrentOperationLimitPreview = 2 });

        // Another thread (another stripe), after the change: 5 out, limit 2.
        Assert.False(await OnOwnThread(() => cluster.TrySelect(out _)));
        held.Skip(1).ToList().ForEach(l => l.Dispose());
        (bool second, bool third) = await OnOwnThread(() =>
        {
            bool second = cluster.TrySelect(out MemberLease lease);
            bool third = cluster.TrySelect(out _);
            lease.Dispose();
            return (second, third);
        });

        Assert.True(second);
        Assert.False(third);
        held[0].Dispose();
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
    }

    private static Task<T> OnOwnThread<T>(Func<T> body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(HardLimit);
}
