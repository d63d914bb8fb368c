using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Membership;

/// <summary>
/// What <see cref="ClusterStatus"/> and <see cref="MemberStatus"/> say: a member at its concurrency limit reports the
/// limit as its throttle, and both print something an operator can read.
/// </summary>
public sealed class StatusTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 10, 4, 0, TimeSpan.Zero));
    private readonly ClusterSelector _cluster;

    public StatusTests()
    {
        ClusterOptions options = Clusters.Options(3);
        options.ConcurrentOperationLimitPreview = 2;
        options.OfflinePenaltyJitter = 0;
        options.CPUUtilizationPercentageThreshold = 80;
        _cluster = new ClusterSelector("sales", options, _time);
    }

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public void MemberAtItsConcurrencyLimit_ReportsConcurrencyLimit_AndNoLongerOnceALeaseEnds()
    {
        using MemberLease first = _cluster.Select();
        MemberLease second = _cluster.Select();

        MemberStatus full = _cluster.GetStatus().Members[0];
        Assert.Equal((2, 2), (full.InFlight, full.ConcurrencyLimit));
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, full.Throttle);
        Assert.Null(full.ThrottleRetryAfter);
        Assert.Null(full.ThrottledBy);

        second.Dispose();
        Assert.Equal(MemberRejectionReason.None, _cluster.GetStatus().Members[0].Throttle);
    }

    [Fact]
    public void MemberOverAUtilizationThreshold_AndFull_ReportsTheThreshold()
    {
        using MemberLease first = _cluster.Select();
        using MemberLease second = _cluster.Select();
        _cluster.ReportUtilization("gw-0", 90, 10);

        MemberStatus member = _cluster.GetStatus().Members[0];

        Assert.Equal(MemberRejectionReason.CpuLimit, member.Throttle);
        Assert.Equal(TimeSpan.FromMinutes(5), member.ThrottleRetryAfter);
    }

    [Fact]
    public void Refusal_IsReported_WithWhatIsLeftOfItsCoolDown_AndGoneWhenItEnds()
    {
        _cluster.ReportRefusal("gw-1", ThrottleLimitKind.Concurrency, TimeSpan.FromSeconds(3));
        _time.Advance(TimeSpan.FromSeconds(1));

        MemberStatus member = _cluster.GetStatus().Members[1];
        Assert.Equal((ThrottleLimitKind.Concurrency, TimeSpan.FromSeconds(2)), (member.RefusedFor, member.RefusalCoolDownRemaining));
        Assert.Null(_cluster.GetStatus().Members[0].RefusedFor);

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal((null, null), (_cluster.GetStatus().Members[1].RefusedFor, _cluster.GetStatus().Members[1].RefusalCoolDownRemaining));
    }

    [Fact]
    public void ToString_ClusterAndMembers_AreReadable()
    {
        _cluster.ReportUtilization("gw-0", 45, 61.25);
        using MemberLease lease = _cluster.Select();
        _cluster.ReportUtilization("gw-1", 95, 20);
        _cluster.ReportOffline("gw-2");
        _cluster.SetMemberEnabled("gw-2", false);

        Assert.Equal(
            "Cluster 'sales' (Failover, 3 members, at 2026-12-01T10:04:00Z)\n"
            + "  gw-0 (primary, online, 1/2 in flight, CPU 45.0%, memory 61.3%)\n"
            + "  gw-1 (#1, online, 0/2 in flight, CPU 95.0%, memory 20.0%, throttled: CpuLimit, retry after 0:05:00)\n"
            + "  gw-2 (#2, disabled, penalized until 10:04:05Z after 1 offline result, 0/2 in flight)",
            _cluster.GetStatus().ToString());
    }

    [Fact]
    public void ToString_UnlimitedMember_ShowsOnlyItsCount_AndAVersionSkewIsNamed()
    {
        var options = new ClusterOptions { BypassConcurrentOperationLimit = true };
        options.Members.Add(new ClusterMemberOptions("a") { Version = "3000.1" });
        options.Members.Add(new ClusterMemberOptions("b") { Version = "3000.2" });
        using var cluster = new ClusterSelector("mixed", options, _time);

        Assert.Equal(
            "Cluster 'mixed' (Failover, 2 members, versions 3000.1, 3000.2, at 2026-12-01T10:04:00Z)\n"
            + "  a (primary, online, 0 in flight)\n"
            + "  b (#1, online, 0 in flight)",
            cluster.GetStatus().ToString());
    }

    [Fact]
    public void ToString_MemberBeingProbedAfterTwoOfflineResults_SaysSo()
    {
        _cluster.ReportOffline("gw-2");
        _cluster.ReportOffline("gw-2");
        _time.Advance(TimeSpan.FromHours(2));

        MemberStatus member = _cluster.GetStatus().Members[2];

        Assert.Equal((MemberHealth.Probing, 2), (member.Health, member.ConsecutiveOfflineResults));
        Assert.Equal("gw-2 (#2, probing after 2 offline results, 0/2 in flight)", member.ToString());
    }

    [Fact]
    public void ToString_MemberFullAtACustomPolicysLimit_NamesThePolicy()
    {
        ClusterOptions options = Clusters.Options(2);
        options.ThrottlePolicies.Add(new PerMemberLimitPolicy(new Dictionary<string, int> { ["gw-0"] = 1 }));
        using var cluster = new ClusterSelector("policed", options, _time);
        using MemberLease lease = cluster.Select();

        MemberStatus member = cluster.GetStatus().Members[0];

        Assert.Equal("per-member-limit", member.ThrottledBy);
        Assert.Equal("gw-0 (primary, online, 1/1 in flight, throttled: PolicyLimit (per-member-limit))", member.ToString());
    }

    [Fact]
    public void ToString_OneMemberCluster_SaysMemberInTheSingular()
    {
        using var cluster = new ClusterSelector("single", Clusters.Options(1), _time);

        Assert.StartsWith("Cluster 'single' (Failover, 1 member, at ", cluster.GetStatus().ToString(), StringComparison.Ordinal);
    }
}
