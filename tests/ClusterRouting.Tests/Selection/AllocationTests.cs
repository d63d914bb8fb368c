using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Selection;

/// <summary>
/// The hot path must allocate nothing. BenchmarkDotNet's dry job reports 0 B even for code that allocates, so the
/// gate is here: GC.GetAllocatedBytesForCurrentThread over many calls after a warm-up.
/// </summary>
public class AllocationTests
{
    private const int Operations = 100_000;

    [Theory]
    [InlineData(SelectionMode.Failover)]
    [InlineData(SelectionMode.Random)]
    [InlineData(SelectionMode.RoundRobin)]
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

    [Fact]
    public void RandomRedraw_AfterABusyMember_AllocatesNothing()
    {
        ClusterSnapshot snapshot = Snapshots.Create(10, concurrencyLimit: 1, SelectionMode.Random);
        for (int i = 0; i < 9; i++)
        {
            Snapshots.Saturate(snapshot, i);
        }

        RandomSource random = RandomSource.Shared;
        long allocated = Measure(() =>
        {
            int chosen = RandomSelection.Select(snapshot, random);
            snapshot.Eligible[chosen].Release();
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

    private static long Measure(Action operation)
    {
        for (int i = 0; i < 10_000; i++)
        {
            operation();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Operations; i++)
        {
            operation();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
