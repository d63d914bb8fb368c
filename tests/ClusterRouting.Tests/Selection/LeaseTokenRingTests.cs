using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Selection;

/// <summary>Each thread takes lease tokens from a ring of its own; ending a lease, on any thread, frees its token.</summary>
public class LeaseTokenRingTests
{
    [Fact]
    public async Task Ring_GrowsToTheLeasesOutAtOnce_AndNoFurther()
    {
        (int afterFirst, int afterSecond, int inFlight) = await OnNewThread(() =>
        {
            // Three members with the default limit of 40 each: room for 100 leases at once.
            ClusterSelector cluster = Clusters.Create(3);
            List<MemberLease> leases = Enumerable.Range(0, 100).Select(_ => cluster.Select()).ToList();
            leases.ForEach(l => l.Dispose());
            int afterFirst = LeaseThread.Current.TokenCount;

            for (int round = 0; round < 10; round++)
            {
                leases = Enumerable.Range(0, 100).Select(_ => cluster.Select()).ToList();
                leases.ForEach(l => l.Dispose());
            }

            return (afterFirst, LeaseThread.Current.TokenCount, cluster.GetStatus().Members.Sum(m => m.InFlight));
        });

        Assert.Equal(128, afterFirst);
        Assert.Equal(128, afterSecond);
        Assert.Equal(0, inFlight);
    }

    [Fact]
    public async Task Ring_LeasesEndedOnAnotherThread_FreeTheirTokensForTheOwner()
    {
        ClusterSelector cluster = Clusters.Create(2);
        using var toRelease = new System.Collections.Concurrent.BlockingCollection<MemberLease>();
        Task releaser = Task.Factory.StartNew(
            () =>
            {
                foreach (MemberLease lease in toRelease.GetConsumingEnumerable())
                {
                    lease.Dispose();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        int tokens = await OnNewThread(() =>
        {
            for (int i = 0; i < 5_000; i++)
            {
                // Wait until the other thread has ended all but a few, so the owner never has many out at once.
                SpinWait.SpinUntil(() => cluster.GetStatus().Members.Sum(m => m.InFlight) < 8);
                toRelease.Add(cluster.Select());
            }

            return LeaseThread.Current.TokenCount;
        });

        toRelease.CompleteAdding();
        await releaser;

        Assert.Equal(32, tokens);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public async Task Ring_StaleCopyAfterTheTokenIsReused_DoesNothing()
    {
        (int inFlightAfterStaleDispose, bool tokenReused) = await OnNewThread(() =>
        {
            ClusterSelector cluster = Clusters.Create(1);
            MemberLease first = cluster.Select();
            MemberLease copy = first;
            first.Dispose();

            // Go round the whole ring so that the first lease's token is taken again.
            MemberLease current = default;
            for (int i = 0; i < LeaseThread.Current.TokenCount; i++)
            {
                current.Dispose();
                current = cluster.Select();
            }

            copy.Dispose();
            int inFlight = cluster.GetStatus().Members[0].InFlight;
            current.Dispose();
            return (inFlight, cluster.GetStatus().Members[0].InFlight == 0);
        });

        Assert.Equal(1, inFlightAfterStaleDispose);
        Assert.True(tokenReused);
    }

    private static Task<T> OnNewThread<T>(Func<T> body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
}
