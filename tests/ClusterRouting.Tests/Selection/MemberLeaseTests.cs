using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Selection;

public class MemberLeaseTests
{
    [Fact]
    public void Select_TakesASlotAndDispose_FreesIt()
    {
        ClusterSelector cluster = Clusters.Create(1);

        MemberLease lease = cluster.Select();
        Assert.Equal(1, cluster.GetStatus().Members[0].InFlight);
        lease.Dispose();

        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
    }

    [Fact]
    public void Dispose_Twice_ReleasesOnlyOnce()
    {
        ClusterSelector cluster = Clusters.Create(1);
        MemberLease other = cluster.Select();
        MemberLease lease = cluster.Select();

        lease.Dispose();
        lease.Dispose();

        Assert.Equal(1, cluster.GetStatus().Members[0].InFlight);
        other.Dispose();
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
    }

    [Fact]
    public void Dispose_StaleCopyAfterItsTokenWasReused_DoesNothing()
    {
        ClusterSelector cluster = Clusters.Create(1);
        MemberLease first = cluster.Select();
        MemberLease copy = first;
        first.Dispose();

        // The next lease on this thread reuses the pooled token of the first one.
        MemberLease second = cluster.Select();
        copy.Dispose();

        Assert.Equal(1, cluster.GetStatus().Members[0].InFlight);
        second.Dispose();
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
    }

    [Fact]
    public void Default_HoldsNoMember()
    {
        MemberLease lease = default;

        Assert.False(lease.IsAcquired);
        Assert.False(lease.IsPrimary);
        Assert.Equal(-1, lease.MemberIndex);
        Assert.Equal("(no member)", lease.ToString());
        Assert.Throws<InvalidOperationException>(() => lease.MemberId);
        lease.Dispose();
    }

    [Fact]
    public void Default_MemberIdAndAddress_ThrowSayingTheLeaseHoldsNoMember()
    {
        MemberLease lease = default;

        Assert.Equal("This lease holds no member: it is the default value.", Assert.Throws<InvalidOperationException>(() => lease.MemberId).Message);
        Assert.Equal("This lease holds no member: it is the default value.", Assert.Throws<InvalidOperationException>(() => lease.Address).Message);
    }

    [Fact]
    public async Task Dispose_OnAnotherThread_ReleasesAndTokensKeepWorking()
    {
        ClusterSelector cluster = Clusters.Create(2, SelectionMode.RoundRobin);
        var leases = new List<MemberLease>();
        for (int i = 0; i < 80; i++)
        {
            leases.Add(cluster.Select());
        }

        await Task.Run(() =>
        {
            foreach (MemberLease lease in leases)
            {
                lease.Dispose();
                lease.Dispose();
            }
        }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
        for (int i = 0; i < 10; i++)
        {
            Assert.NotNull(cluster.SelectOnce());
        }

        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public void ToString_NamesTheMember()
    {
        ClusterSelector cluster = Clusters.Create(1);

        using MemberLease lease = cluster.Select();

        Assert.Equal("gw-0", lease.ToString());
    }
}
