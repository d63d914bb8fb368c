using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Selection;

public class FailoverSelectionTests
{
    [Fact]
    public void Select_AllEnabled_ReturnsPrimary()
    {
        ClusterSelector cluster = Clusters.Create(3);

        using MemberLease lease = cluster.Select();

        Assert.Equal("gw-0", lease.MemberId);
        Assert.True(lease.IsPrimary);
        Assert.Equal(0, lease.MemberIndex);
    }

    [Fact]
    public void Select_PrimaryDisabled_ReturnsSecondMember()
    {
        ClusterSelector cluster = Clusters.Create(3);
        cluster.SetMemberEnabled("gw-0", false);

        using MemberLease lease = cluster.Select();

        Assert.Equal("gw-1", lease.MemberId);
        Assert.False(lease.IsPrimary);
        Assert.Equal(1, lease.MemberIndex);
    }

    [Fact]
    public void Select_FirstTwoDisabled_ReturnsThirdInOrder()
    {
        ClusterSelector cluster = Clusters.Create(4);
        cluster.SetMemberEnabled("gw-0", false);
        cluster.SetMemberEnabled("gw-1", false);

        Assert.Equal("gw-2", cluster.SelectOnce());
    }

    [Fact]
    public void Select_PrimaryEnabledAgain_TrafficReturnsToPrimaryAtOnce()
    {
        ClusterSelector cluster = Clusters.Create(3);
        cluster.SetMemberEnabled("gw-0", false);
        Assert.Equal("gw-1", cluster.SelectOnce());

        cluster.SetMemberEnabled("gw-0", true);

        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void Select_PrimaryAtConcurrencyLimit_ReturnsNextMember()
    {
        int stripe = 0;
        ClusterSnapshot snapshot = Snapshots.Create(3, concurrencyLimit: 2, SelectionMode.Failover);
        Snapshots.Saturate(snapshot, 0);

        Assert.Equal(1, FailoverSelection.Select(snapshot.Eligible, default(NoFilter), stripe).Position);
        Assert.Equal(1, FailoverSelection.Select(snapshot.Eligible, default(NoFilter), stripe).Position);
        Assert.Equal(2, FailoverSelection.Select(snapshot.Eligible, default(NoFilter), stripe).Position);
        Assert.Equal(2, FailoverSelection.Select(snapshot.Eligible, default(NoFilter), stripe).Position);
        Assert.Equal(-1, FailoverSelection.Select(snapshot.Eligible, default(NoFilter), stripe).Position);
        Assert.All(snapshot.Members, m => Assert.Equal(2, m.State.InFlight));
    }

    [Fact]
    public void TrySelect_AllDisabled_FailsWithDisabledReasonForEachMember()
    {
        ClusterSelector cluster = Clusters.Create(2);
        cluster.SetMemberEnabled("gw-0", false);
        cluster.SetMemberEnabled("gw-1", false);

        Assert.False(cluster.TrySelect(out MemberLease lease, out SelectionFailure failure));

        Assert.False(lease.IsAcquired);
        Assert.True(failure.IsFailure);
        Assert.Equal("test", failure.ClusterName);
        Assert.Equal(2, failure.MemberCount);
        Assert.Equal(new MemberRejection("gw-0", MemberRejectionReason.Disabled), failure.GetRejection(0));
        Assert.Equal(new MemberRejection("gw-1", MemberRejectionReason.Disabled), failure.GetRejection(1));
    }

    [Fact]
    public void Select_AllDisabled_ThrowsNoMemberAvailableListingEveryMember()
    {
        ClusterSelector cluster = Clusters.Create(2);
        cluster.SetMemberEnabled("gw-0", false);
        cluster.SetMemberEnabled("gw-1", false);

        var error = Assert.Throws<NoMemberAvailableException>(() => cluster.Select());

        Assert.Equal("No member of cluster 'test' can take the operation: gw-0 (disabled), gw-1 (disabled).", error.Message);
        Assert.Equal("test", error.ClusterName);
        Assert.Equal(
            new[] { new MemberRejection("gw-0", MemberRejectionReason.Disabled), new MemberRejection("gw-1", MemberRejectionReason.Disabled) },
            error.Rejections);
    }

    [Fact]
    public void TrySelect_EveryMemberAtConcurrencyLimit_ReportsConcurrencyLimitForEnabledMembers()
    {
        int stripe = 0;
        ClusterSnapshot snapshot = Snapshots.Create(3, concurrencyLimit: 1, SelectionMode.Failover, disabled: 1);
        Snapshots.Saturate(snapshot, 0);
        Snapshots.Saturate(snapshot, 2);
        var failure = SelectionFailure.Capture(snapshot);

        Assert.Equal(-1, FailoverSelection.Select(snapshot.Eligible, default(NoFilter), stripe).Position);
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, failure.GetRejection(0).Reason);
        Assert.Equal(MemberRejectionReason.Disabled, failure.GetRejection(1).Reason);
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, failure.GetRejection(2).Reason);
        Assert.True(failure.IsThrottled);
        var error = Assert.IsType<ClusterThrottledException>(failure.ToException());
        Assert.Equal(GatewayMessages.Concurrency, error.Message);
        Assert.Equal("gw-0", error.MemberId);
        Assert.Equal(ThrottleLimitKind.Concurrency, error.Limit);
        Assert.Null(error.RetryAfter);
        Assert.Equal(3, error.Rejections.Count);
    }
}
