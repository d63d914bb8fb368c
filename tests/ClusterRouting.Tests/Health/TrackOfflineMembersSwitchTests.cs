using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Health;

/// <summary>
/// Turning <see cref="ClusterOptions.TrackOfflineMembers"/> off ends every penalty and probe at once. Regression:
/// members already penalized stayed in one-at-a-time probe mode for ever.
/// </summary>
public class TrackOfflineMembersSwitchTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void TurnedOff_PenalizedMember_IsOnlineAndTakesOperationsConcurrently()
    {
        using ClusterSelector cluster = new("switch", Clusters.Options(2), _time);
        cluster.ReportOffline("gw-0");

        cluster.Reconfigure(Off());

        MemberStatus gw0 = cluster.GetStatus().Members[0];
        Assert.Equal(MemberHealth.Online, gw0.Health);
        Assert.Null(gw0.PenalizedUntil);
        Assert.Equal(1, gw0.ConsecutiveOfflineResults); // the count is history; only the penalty ends
        using MemberLease a = cluster.Select();
        using MemberLease b = cluster.Select();
        Assert.Equal(["gw-0", "gw-0"], new[] { a.MemberId, b.MemberId });
        Assert.False(a.IsProbe || b.IsProbe);
    }

    [Fact]
    public void TurnedOff_ProbingMember_IsOnlineAndNoLongerLimitedToOneProbe()
    {
        using ClusterSelector cluster = new("switch", Clusters.Options(2, SelectionMode.Failover), _time);
        cluster.ReportOffline("gw-0");
        _time.Advance(TimeSpan.FromSeconds(10));
        using MemberLease probe = cluster.Select();
        Assert.True(probe.IsProbe);

        cluster.Reconfigure(Off());

        using MemberLease next = cluster.Select();
        Assert.Equal("gw-0", next.MemberId);
        Assert.False(next.IsProbe);
        Assert.Equal(MemberHealth.Online, cluster.GetStatus().Members[0].Health);
    }

    [Fact]
    public void TurnedOff_LaterOfflineReports_AreCountedButDoNotPenalize()
    {
        using ClusterSelector cluster = new("switch", Clusters.Options(2), _time);
        cluster.Reconfigure(Off());

        cluster.ReportOffline("gw-0");
        cluster.ReportOffline("gw-0");

        MemberStatus gw0 = cluster.GetStatus().Members[0];
        Assert.Equal(MemberHealth.Online, gw0.Health);
        Assert.Equal(2, gw0.ConsecutiveOfflineResults);
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    private static ClusterOptions Off()
    {
        ClusterOptions options = Clusters.Options(2);
        options.TrackOfflineMembers = false;
        return options;
    }
}
