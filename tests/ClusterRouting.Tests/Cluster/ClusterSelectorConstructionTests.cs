using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Tests.Cluster;

public class ClusterSelectorConstructionTests
{
    [Fact]
    public void Constructor_NullName_ThrowsArgumentNullException()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new ClusterSelector(null!, Clusters.Options(1)));
        Assert.Equal("clusterName", error.ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Constructor_EmptyOrWhitespaceName_ThrowsArgumentException(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new ClusterSelector(name, Clusters.Options(1)));
        Assert.Equal("clusterName", error.ParamName);
    }

    [Fact]
    public void Constructor_NullOptions_ThrowsArgumentNullException()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new ClusterSelector("c", null!));
        Assert.Equal("options", error.ParamName);
    }

    [Fact]
    public void Constructor_SeveralInvalidMembers_ReportsEveryProblemAtOnce()
    {
        var options = new ClusterOptions
        {
            Members = { new("gw-1"), new(""), new("GW-1"), new("   ") },
            Mode = (SelectionMode)42,
        };

        var error = Assert.Throws<ArgumentException>(() => new ClusterSelector("refresh", options));

        Assert.Equal("options", error.ParamName);
        Assert.Contains("Cluster 'refresh': Members[1].Id must not be empty or whitespace.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Cluster 'refresh': Members[2].Id 'GW-1' duplicates Members[0].Id (member ids are compared ignoring case).", error.Message, StringComparison.Ordinal);
        Assert.Contains("Cluster 'refresh': Members[3].Id must not be empty or whitespace.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Cluster 'refresh': Mode 42 is not a SelectionMode (Failover, Random, RoundRobin or LeastLoaded).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullMemberEntry_ReportsItsIndex()
    {
        var options = new ClusterOptions { Members = { new("gw-1"), null! } };

        var error = Assert.Throws<ArgumentException>(() => new ClusterSelector("c", options));

        Assert.Contains("Cluster 'c': Members[1] must not be null.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullMemberList_ReportsTheField()
    {
        var options = new ClusterOptions { Members = null! };

        var error = Assert.Throws<ArgumentException>(() => new ClusterSelector("c", options));

        Assert.Contains("Cluster 'c': Members must not be null.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_OptionsChangedAfterwards_ClusterKeepsItsCopy()
    {
        ClusterOptions options = Clusters.Options(2);
        var cluster = new ClusterSelector("c", options);

        options.Members[0].Enabled = false;
        options.Members.Add(new ClusterMemberOptions("late"));
        options.Mode = SelectionMode.RoundRobin;

        Assert.Equal(2, cluster.MemberCount);
        Assert.Equal(SelectionMode.Failover, cluster.Mode);
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void Constructor_NoMembers_SelectionFailsWithNoRejections()
    {
        var cluster = new ClusterSelector("empty", new ClusterOptions());

        Assert.False(cluster.TrySelect(out MemberLease lease, out SelectionFailure failure));
        Assert.False(lease.IsAcquired);
        Assert.Equal(0, failure.MemberCount);
        var error = Assert.Throws<NoMemberAvailableException>(() => cluster.Select());
        Assert.Equal("No member of cluster 'empty' can take the operation: the cluster has no members.", error.Message);
    }

    [Fact]
    public void Constructor_MoreThanTenMembers_KeepsOperatingAndWarns()
    {
        var logger = new FakeLogger();

        ClusterSelector cluster = Clusters.Create(12, SelectionMode.RoundRobin, logger: logger);

        var seen = new HashSet<string>();
        for (int i = 0; i < 12; i++)
        {
            seen.Add(cluster.SelectOnce()!);
        }

        Assert.Equal(12, seen.Count);
        Assert.True(cluster.GetStatus().ExceedsMemberLimit);
        FakeLogRecord warning = Assert.Single(logger.WithEvent("MemberLimitExceeded"));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal(1, warning.Id.Id);
        Assert.Equal("12", warning.GetStructuredStateValue("MemberCount"));
        Assert.Equal("10", warning.GetStructuredStateValue("MaxMembers"));
        Assert.Equal("test", warning.GetStructuredStateValue("ClusterName"));
    }

    [Fact]
    public void Constructor_TenMembers_DoesNotWarn()
    {
        var logger = new FakeLogger();

        ClusterSelector cluster = Clusters.Create(10, logger: logger);

        Assert.Empty(logger.WithEvent("MemberLimitExceeded"));
        Assert.False(cluster.GetStatus().ExceedsMemberLimit);
    }

    [Fact]
    public void Constructor_MembersWithDifferentVersions_WarnsAndReportsSkew()
    {
        var logger = new FakeLogger();
        var options = new ClusterOptions
        {
            Members = { new("gw-1", "3000.250.5"), new("gw-2", "3000.250.5"), new("gw-3", "3000.246.4"), new("gw-4") },
        };

        var cluster = new ClusterSelector("refresh", options, logger: logger);

        ClusterStatus status = cluster.GetStatus();
        Assert.True(status.HasVersionSkew);
        Assert.Equal(new[] { "3000.250.5", "3000.246.4" }, status.Versions);
        FakeLogRecord warning = Assert.Single(logger.WithEvent("VersionSkew"));
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("3000.250.5, 3000.246.4", warning.GetStructuredStateValue("Versions"));
    }

    [Fact]
    public void Constructor_SameVersionIgnoringCaseAndUnknownVersions_NoSkew()
    {
        var logger = new FakeLogger();
        var options = new ClusterOptions { Members = { new("gw-1", "v1-beta"), new("gw-2", "V1-BETA"), new("gw-3") } };

        var cluster = new ClusterSelector("c", options, logger: logger);

        Assert.False(cluster.GetStatus().HasVersionSkew);
        Assert.Empty(logger.WithEvent("VersionSkew"));
    }
}
