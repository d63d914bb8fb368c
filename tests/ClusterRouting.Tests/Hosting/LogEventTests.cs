using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Tests.Hosting;

/// <summary>The log events written by clusters resolved from the container, through a logger provider added with AddLogging.</summary>
public class LogEventTests
{
    [Fact]
    public void Select_FailoverToANonPrimary_LogsFailedOverAtDebug()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster("logs", ("Members:0:Id", "gw-0"), ("Members:0:Enabled", "false"), ("Members:1:Id", "gw-1")));
        ClusterSelector cluster = services.Cluster("logs");

        Assert.Equal("gw-1", cluster.SelectOnce());

        FakeLogRecord entry = Assert.Single(services.Log.WithEvent("FailedOver"));
        Assert.Equal(14, entry.Id.Id);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Equal("logs", entry.GetStructuredStateValue("ClusterName"));
        Assert.Equal("gw-1", entry.GetStructuredStateValue("MemberId"));
        Assert.Equal("1", entry.GetStructuredStateValue("MemberIndex"));
        Assert.Equal("Cluster logs routed an operation to member gw-1 at position 1: the members before it could not take it.", entry.Message);
    }

    [Fact]
    public void Select_ThePrimaryOrARoundRobinTurn_DoesNotLogFailedOver()
    {
        using RoutingServices services = RoutingServices.Create(
            Settings.Cluster("failover", Settings.Members(2)).Concat(Settings.Cluster("rotation", [("Mode", "RoundRobin"), .. Settings.Members(2)])));

        Assert.Equal(["gw-0", "gw-0"], services.Cluster("failover").SelectIds(2));
        Assert.Equal(["gw-0", "gw-1"], services.Cluster("rotation").SelectIds(2));

        Assert.Empty(services.Log.WithEvent("FailedOver"));
    }

    [Fact]
    public void FailedOver_WithAFakeLoggerPassedDirectly_HasTheSameFields()
    {
        var logger = new FakeLogger();
        ClusterSelector cluster = Clusters.Create(3, logger: logger);
        cluster.SetMemberEnabled("gw-0", enabled: false);
        cluster.SetMemberEnabled("gw-1", enabled: false);

        Assert.Equal("gw-2", cluster.SelectOnce());

        FakeLogRecord entry = Assert.Single(logger.WithEvent("FailedOver"));
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Equal(new string?[] { "test", "gw-2", "2" }, new[] { "ClusterName", "MemberId", "MemberIndex" }.Select(entry.GetStructuredStateValue));
    }

    [Fact]
    public void AllMembersThrottled_IsLoggedOnceWhenEveryMemberBecomesThrottled_NotPerSelection()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster(
            "logs",
            [("CPUUtilizationPercentageThreshold", "80"), ("ResourceUtilizationAggregationTimeInMinutes", "1"), .. Settings.Members(2)]));
        ClusterSelector cluster = services.Cluster("logs");

        cluster.ReportUtilization("gw-0", 90, 0);
        Assert.Empty(services.Log.WithEvent("AllMembersThrottled"));
        cluster.ReportUtilization("gw-1", 95, 0);
        Assert.Equal(["(none)", "(none)", "(none)"], cluster.SelectIds(3));
        cluster.ReportUtilization("gw-1", 99, 0);

        FakeLogRecord entry = Assert.Single(services.Log.WithEvent("AllMembersThrottled"));
        Assert.Equal(15, entry.Id.Id);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("logs", entry.GetStructuredStateValue("ClusterName"));
        Assert.Equal("2", entry.GetStructuredStateValue("MemberCount"));
        Assert.Equal("Every enabled member of cluster logs (2 members) is throttled: operations fail until a limit lifts.", entry.Message);
    }

    [Fact]
    public void AllMembersThrottled_AfterALimitLifted_IsLoggedAgainTheNextTime()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster(
            "logs",
            [("CPUUtilizationPercentageThreshold", "80"), ("ResourceUtilizationAggregationTimeInMinutes", "1"), .. Settings.Members(2)]));
        ClusterSelector cluster = services.Cluster("logs");
        cluster.ReportUtilization("gw-0", 90, 0);
        cluster.ReportUtilization("gw-1", 90, 0);

        services.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("gw-0", cluster.SelectOnce());
        cluster.ReportUtilization("gw-0", 90, 0);
        cluster.ReportUtilization("gw-1", 90, 0);

        Assert.Equal(2, services.Log.WithEvent("AllMembersThrottled").Length);
    }

    [Fact]
    public void ReportOffline_LogsPenaltyStartedWithTheCountAndThePenalty()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster(
            "logs",
            [("OfflinePenaltyBaseDuration", "00:00:07"), ("OfflinePenaltyJitter", "0"), .. Settings.Members(2)]));
        ClusterSelector cluster = services.Cluster("logs");

        cluster.ReportOffline("gw-0");
        cluster.ReportOffline("gw-0");

        FakeLogRecord[] entries = services.Log.WithEvent("PenaltyStarted");
        Assert.Equal(2, entries.Length);
        Assert.All(entries, e => Assert.Equal(11, e.Id.Id));
        Assert.All(entries, e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.All(entries, e => Assert.Equal("logs", e.GetStructuredStateValue("ClusterName")));
        Assert.All(entries, e => Assert.Equal("gw-0", e.GetStructuredStateValue("MemberId")));
        Assert.Equal(["1", "2"], entries.Select(e => e.GetStructuredStateValue("ConsecutiveFailures")));
        Assert.Equal(["00:00:07", "00:00:14"], entries.Select(e => e.GetStructuredStateValue("Penalty")));
        Assert.Equal("Member gw-0 of cluster logs is offline (1 in a row): it is tried last for 00:00:07.", entries[0].Message);
    }

    [Fact]
    public void ReportSuccess_OnAPenalizedMember_LogsPenaltyEnded_AndNothingForAnOnlineOne()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster("logs", Settings.Members(2)));
        ClusterSelector cluster = services.Cluster("logs");
        cluster.ReportOffline("gw-0");

        Assert.True(cluster.ReportSuccess("gw-0"));
        Assert.True(cluster.ReportSuccess("gw-1"));

        FakeLogRecord entry = Assert.Single(services.Log.WithEvent("PenaltyEnded"));
        Assert.Equal(13, entry.Id.Id);
        Assert.Equal(LogLevel.Information, entry.Level);
        Assert.Equal("logs", entry.GetStructuredStateValue("ClusterName"));
        Assert.Equal("gw-0", entry.GetStructuredStateValue("MemberId"));
        Assert.Equal("Member gw-0 of cluster logs is online again.", entry.Message);
        Assert.Equal(MemberHealth.Online, cluster.GetStatus().Members[0].Health);
    }

    [Fact]
    public void GetCluster_MembersOnDifferentVersions_LogsVersionSkewOnce()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster(
            "logs",
            ("Members:0:Id", "gw-0"),
            ("Members:0:Version", "3000.250.5"),
            ("Members:1:Id", "gw-1"),
            ("Members:1:Version", "3000.246.3"),
            ("Members:2:Id", "gw-2"),
            ("Members:2:Version", "3000.250.5")));
        ClusterSelector cluster = services.Cluster("logs");

        Assert.Equal("gw-0", cluster.SelectOnce());

        FakeLogRecord entry = Assert.Single(services.Log.WithEvent("VersionSkew"));
        Assert.Equal(2, entry.Id.Id);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("logs", entry.GetStructuredStateValue("ClusterName"));
        Assert.Equal("3000.250.5, 3000.246.3", entry.GetStructuredStateValue("Versions"));
        Assert.Equal(
            "Members of cluster logs run different versions (3000.250.5, 3000.246.3): different versions can cause unexpected failures based on supported functionality.",
            entry.Message);
        Assert.True(cluster.GetStatus().HasVersionSkew);
    }

    [Fact]
    public void Reload_VersionSkew_IsLoggedAgainOnlyWhenTheVersionsChange()
    {
        using RoutingServices services = TwoVersions();
        ClusterSelector cluster = services.Cluster("logs");

        services.Set("logs", "Members:2:Id", "gw-2");
        services.Set("logs", "Members:2:Version", "2.0");
        services.Configuration.Reload();
        Assert.Single(services.Log.WithEvent("VersionSkew"));
        services.Set("logs", "Members:2:Version", "3.0");
        services.Configuration.Reload();

        FakeLogRecord[] entries = services.Log.WithEvent("VersionSkew");
        Assert.Equal(2, entries.Length);
        Assert.Equal("1.0, 2.0, 3.0", entries[1].GetStructuredStateValue("Versions"));
        Assert.Equal(3, cluster.MemberCount);
    }

    [Fact]
    public void Reload_VersionSkew_IsLoggedAgainWhenAVersionChanges_ThoughTheirNumberStays()
    {
        using RoutingServices services = TwoVersions();
        ClusterSelector cluster = services.Cluster("logs");

        services.Set("logs", "Members:1:Version", "3.0");
        services.Configuration.Reload();

        FakeLogRecord[] entries = services.Log.WithEvent("VersionSkew");
        Assert.Equal(2, entries.Length);
        Assert.Equal("1.0, 3.0", entries[1].GetStructuredStateValue("Versions"));
        Assert.Equal("3.0", cluster.GetStatus().Members[1].Version);
    }

    [Fact]
    public void GetCluster_TwelveMembers_LogsMemberLimitExceeded()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster("logs", Settings.Members(12)));
        ClusterSelector cluster = services.Cluster("logs");

        FakeLogRecord entry = Assert.Single(services.Log.WithEvent("MemberLimitExceeded"));

        Assert.Equal(1, entry.Id.Id);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal("logs", entry.GetStructuredStateValue("ClusterName"));
        Assert.Equal("12", entry.GetStructuredStateValue("MemberCount"));
        Assert.Equal("10", entry.GetStructuredStateValue("MaxMembers"));
        Assert.Equal("Cluster logs has 12 members, more than the limit of 10: it keeps operating but refuses new members until one is removed.", entry.Message);
        Assert.Equal(12, cluster.MemberCount);
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void GetCluster_TenMembers_LogsNoMemberLimitWarning()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster("logs", Settings.Members(10)));

        Assert.Equal(10, services.Provider.GetCluster("logs").MemberCount);

        Assert.Empty(services.Log.WithEvent("MemberLimitExceeded"));
    }

    /// <summary>A cluster "logs" of two members running versions 1.0 and 2.0.</summary>
    private static RoutingServices TwoVersions() => RoutingServices.Create(Settings.Cluster(
        "logs",
        ("Members:0:Id", "gw-0"),
        ("Members:0:Version", "1.0"),
        ("Members:1:Id", "gw-1"),
        ("Members:1:Version", "2.0")));
}
