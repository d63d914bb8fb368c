using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Selection;

public class SelectionFailureTests
{
    [Fact]
    public void Default_DescribesNoFailure()
    {
        SelectionFailure failure = default;

        Assert.False(failure.IsFailure);
        Assert.Equal(0, failure.MemberCount);
        Assert.Equal(string.Empty, failure.ClusterName);
        Assert.Equal("No failure", failure.ToString());
        Assert.Throws<InvalidOperationException>(() => failure.ToException());
        Assert.Throws<ArgumentOutOfRangeException>(() => failure.GetRejection(0));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2)]
    public void GetRejection_IndexOutsideTheMembers_ThrowsNamingIndex(int index)
    {
        ClusterSelector cluster = Clusters.Create(2);
        cluster.SetMemberEnabled("gw-0", false);
        cluster.SetMemberEnabled("gw-1", false);
        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => failure.GetRejection(index));

        Assert.Equal("index", error.ParamName);
    }

    [Fact]
    public void TrySelect_Success_LeavesFailureDefault()
    {
        ClusterSelector cluster = Clusters.Create(1);

        Assert.True(cluster.TrySelect(out MemberLease lease, out SelectionFailure failure));

        Assert.False(failure.IsFailure);
        lease.Dispose();
    }

    [Fact]
    public void Failure_KeepsTheReasonsOfItsSelection_AfterMembershipChanges()
    {
        ClusterSelector cluster = Clusters.Create(1);
        cluster.SetMemberEnabled("gw-0", false);
        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));

        cluster.SetMemberEnabled("gw-0", true);
        cluster.AddMember("gw-1");

        Assert.Equal(1, failure.MemberCount);
        Assert.Equal(MemberRejectionReason.Disabled, failure.GetRejection(0).Reason);
        Assert.Equal("No member of cluster 'test' can take the operation: gw-0 (disabled).", failure.ToString());
    }

    [Fact]
    public void MemberRejection_EqualityAndText()
    {
        var a = new MemberRejection("gw-1", MemberRejectionReason.Disabled);
        var b = new MemberRejection("gw-1", MemberRejectionReason.Disabled);
        var c = new MemberRejection("gw-1", MemberRejectionReason.ConcurrencyLimit);

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a != c);
        Assert.True(a.Equals((object)b));
        Assert.False(a.Equals("gw-1"));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal("gw-1: Disabled", a.ToString());
    }

    [Fact]
    public void NoMemberAvailableException_StandardConstructors()
    {
        Assert.Equal("No member of the cluster can take the operation.", new NoMemberAvailableException().Message);
        Assert.Empty(new NoMemberAvailableException("m").Rejections);
        var inner = new InvalidOperationException();
        var error = new NoMemberAvailableException("m", inner);
        Assert.Same(inner, error.InnerException);
        Assert.Equal(string.Empty, error.ClusterName);
    }

    [Fact]
    public void ClusterThrottledException_StandardConstructors_NameNoMember()
    {
        Assert.Equal(string.Empty, new ClusterThrottledException().MemberId);
        Assert.Equal(string.Empty, new ClusterThrottledException("m").MemberId);
        Assert.Equal(string.Empty, new ClusterThrottledException("m", new InvalidOperationException()).MemberId);
    }

    [Fact]
    public void ClusterCapacityExceededException_StandardConstructors_NameNoCluster()
    {
        Assert.Equal(string.Empty, new ClusterCapacityExceededException().ClusterName);
        Assert.Equal(string.Empty, new ClusterCapacityExceededException("m").ClusterName);
        Assert.Equal(string.Empty, new ClusterCapacityExceededException("m", new InvalidOperationException()).ClusterName);
    }

    [Fact]
    public void GetRejection_IndexOutsideTheMembers_SaysTheIndexMustNameAMember()
    {
        ClusterSelector cluster = Clusters.Create(1);
        cluster.SetMemberEnabled("gw-0", false);
        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => failure.GetRejection(1));

        Assert.StartsWith("The index must name a member of the failed selection.", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, error.ActualValue);
    }

    [Fact]
    public void ToException_OnDefault_SaysItDescribesNoFailure()
    {
        SelectionFailure failure = default;

        var error = Assert.Throws<InvalidOperationException>(() => failure.ToException());

        Assert.Equal("A default SelectionFailure describes no failure.", error.Message);
    }

    [Fact]
    public void GetRejection_ExcludedMemberAfterThePrimary_ReportsNoReason()
    {
        // The caller excluded gw-1 (a retry elsewhere): the selection never considered it, so it has no reason of its own.
        using ClusterSelector cluster = new("excluded", Clusters.Options(3));
        cluster.SetMemberEnabled("gw-0", false);
        cluster.SetMemberEnabled("gw-2", false);

        Assert.False(cluster.TrySelect(["gw-1"], out _, out SelectionFailure failure));

        Assert.Equal(new MemberRejection("gw-1", MemberRejectionReason.None), failure.GetRejection(1));
        Assert.Equal(MemberRejectionReason.Disabled, failure.GetRejection(2).Reason);
    }

    [Fact]
    public void ToException_OneMemberThrottledAndTheOtherExcluded_IsNotAThrottlingError()
    {
        // Only gw-0 is at a limit; gw-1 was excluded by the caller, not throttled: the cluster as a whole is not throttled.
        using ClusterSelector cluster = new("partly", Clusters.Options(2));
        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Memory, TimeSpan.FromMinutes(1));

        Assert.False(cluster.TrySelect(["gw-1"], out _, out SelectionFailure failure));

        Assert.False(failure.IsThrottled);
        NoMemberAvailableException error = failure.ToException();
        Assert.IsNotType<ClusterThrottledException>(error);
        Assert.StartsWith("No member of cluster 'partly' can take the operation: gw-0 (over its memory limit)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PenalizedPrimaryFullWithAPrimaryOnlyLease_AnOrdinarySelection_ReportsTheConcurrencyLimit()
    {
        // A primary-only selection took the penalized primary's probe and its one slot. An ordinary selection takes a
        // penalized member without its probe, so what refused it is its full slots, not its penalty.
        var time = new FakeTimeProvider();
        ClusterOptions options = Clusters.Options(1);
        options.ConcurrentOperationLimitPreview = 1;
        using var cluster = new ClusterSelector("penalized", options, time);
        cluster.ReportOffline("gw-0");
        using MemberLease primaryOnly = cluster.SelectPrimary();

        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));

        Assert.Equal(new MemberRejection("gw-0", MemberRejectionReason.ConcurrencyLimit), failure.GetRejection(0));
        Assert.True(failure.IsThrottled);
        Assert.IsType<ClusterThrottledException>(failure.ToException());
    }

    [Fact]
    public void MemberRejection_ByAPolicy_TextNamesThePolicy()
    {
        var rejection = new MemberRejection("gw-1", MemberRejectionReason.PolicyLimit, TimeSpan.FromSeconds(3), "tenant-quota");

        Assert.Equal("gw-1: PolicyLimit (tenant-quota)", rejection.ToString());
    }

    [Fact]
    public void NoMemberAvailableException_MessageConstructors_NameNoClusterAndListNoMembers()
    {
        var plain = new NoMemberAvailableException();
        var withMessage = new NoMemberAvailableException("m");

        Assert.Equal(string.Empty, plain.ClusterName);
        Assert.Empty(plain.Rejections);
        Assert.Equal(string.Empty, withMessage.ClusterName);
        Assert.Empty(withMessage.Rejections);
    }

    [Fact]
    public void SelectPrimary_NoMembers_ThrowsSayingTheClusterHasNone_WithNoPrimary()
    {
        using var cluster = new ClusterSelector("empty", new ClusterOptions());

        Assert.False(cluster.TrySelectPrimary(out MemberLease lease, out SelectionFailure failure));
        Assert.False(lease.IsAcquired);
        Assert.True(failure.IsPrimaryOnly);
        Assert.Equal(0, failure.MemberCount);
        var error = Assert.Throws<PrimaryUnavailableException>(() => cluster.SelectPrimary());

        Assert.Equal("The operation needs the primary member of cluster 'empty', and the cluster has no members.", error.Message);
        Assert.Null(error.Primary);
        Assert.Empty(error.Rejections);
        Assert.Equal("empty", error.ClusterName);
    }
}
