using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Selection;

/// <summary>TrySelect with excluded members: what a caller that retries or hedges elsewhere uses.</summary>
public class ExcludedMembersSelectionTests
{
    [Fact]
    public void Failover_PrimaryExcluded_TheNextInOrderIsChosen_IgnoringCase()
    {
        using ClusterSelector cluster = new("excluded", Clusters.Options(3));

        Assert.True(cluster.TrySelect(["GW-0"], out MemberLease lease, out _));
        using (lease)
        {
            Assert.Equal("gw-1", lease.MemberId);
        }
    }

    [Theory]
    [InlineData(SelectionMode.Random)]
    [InlineData(SelectionMode.RoundRobin)]
    public void EveryMode_ExcludedMembers_AreNeverChosen(SelectionMode mode)
    {
        using ClusterSelector cluster = new("excluded", Clusters.Options(4, mode));
        string[] excluded = ["gw-1", "gw-3"];

        for (int i = 0; i < 200; i++)
        {
            Assert.True(cluster.TrySelect(excluded, out MemberLease lease, out _));
            using (lease)
            {
                Assert.DoesNotContain(lease.MemberId, excluded);
            }
        }
    }

    [Fact]
    public void EveryMemberExcluded_FailsWithTheMembersOwnReasons()
    {
        using ClusterSelector cluster = new("excluded", Clusters.Options(2));
        cluster.SetMemberEnabled("gw-1", false);

        Assert.False(cluster.TrySelect(["gw-0"], out _, out SelectionFailure failure));

        Assert.Equal(2, failure.MemberCount);
        Assert.Equal(MemberRejectionReason.Disabled, failure.GetRejection(1).Reason);
        Assert.False(failure.IsThrottled);
    }

    [Fact]
    public void NoneExcluded_SelectsAsUsual_AndNullIsRefused()
    {
        using ClusterSelector cluster = new("excluded", Clusters.Options(2));

        Assert.True(cluster.TrySelect([], out MemberLease lease, out _));
        lease.Dispose();
        Assert.Equal("gw-0", lease.MemberId);
        Assert.Equal("excludedMemberIds", Assert.Throws<ArgumentNullException>(() => cluster.TrySelect(null!, out _, out _)).ParamName);
    }

    [Fact]
    public void PenalizedMembers_AreStillTriedLast_WhenTheOthersAreExcluded()
    {
        using ClusterSelector cluster = new("excluded", Clusters.Options(3));
        cluster.ReportOffline("gw-2");

        Assert.True(cluster.TrySelect(["gw-0", "gw-1"], out MemberLease lease, out _));
        using (lease)
        {
            Assert.Equal("gw-2", lease.MemberId);
        }
    }
}
