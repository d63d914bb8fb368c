using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterRouting.Tests.Hosting;

public class ConfigurationBindingTests
{
    /// <summary>A cluster configured with the gateway's key names and every setting away from its default.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> Refresh(bool bypass = false) => Settings.Cluster(
        "refresh",
        ("Mode", "RoundRobin"),
        ("CPUUtilizationPercentageThreshold", "80"),
        ("MemoryUtilizationPercentageThreshold", "70"),
        ("ResourceUtilizationAggregationTimeInMinutes", "2"),
        ("ConcurrentOperationLimitPreview", "3"),
        ("BypassConcurrentOperationLimit", bypass ? "true" : "false"),
        ("MemberRefusalCoolDown", "00:00:10"),
        ("OfflinePenaltyBaseDuration", "00:00:07"),
        ("OfflinePenaltyJitter", "0"),
        ("Members:0:Id", "gw-0"),
        ("Members:0:Version", "3000.250.5"),
        ("Members:0:Enabled", "true"),
        ("Members:1:Id", "gw-1"),
        ("Members:1:Version", "3000.250.5"),
        ("Members:1:Enabled", "false"),
        ("Members:2:Id", "gw-2"),
        ("Members:2:Version", "3000.250.5"));

    [Fact]
    public void GetCluster_FromConfiguration_BindsMembersModeAndConcurrencyLimit()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());

        ClusterStatus status = services.Provider.GetCluster("refresh").GetStatus();

        Assert.Equal("refresh", status.ClusterName);
        Assert.Equal(SelectionMode.RoundRobin, status.Mode);
        Assert.Equal(["gw-0", "gw-1", "gw-2"], status.Members.Select(m => m.Id));
        Assert.Equal(["3000.250.5", "3000.250.5", "3000.250.5"], status.Members.Select(m => m.Version));
        Assert.Equal([true, false, true], status.Members.Select(m => m.Enabled));
        Assert.Equal([3, 3, 3], status.Members.Select(m => m.ConcurrencyLimit));
        Assert.Equal(["3000.250.5"], status.Versions);
        Assert.False(status.HasVersionSkew);
        Assert.Equal(services.Time.GetUtcNow(), status.Timestamp);
    }

    [Fact]
    public void KeyedServices_ResolveTheSameInstanceAsTheProvider()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());

        ClusterSelector fromProvider = services.Cluster("refresh");

        Assert.Same(fromProvider, services.Services.GetRequiredKeyedService<IClusterSelector>("refresh"));
        Assert.Same(fromProvider, services.Services.GetRequiredKeyedService<IClusterAdministration>("refresh"));
        Assert.Same(fromProvider, services.Provider.GetCluster("refresh"));
        Assert.Same(fromProvider, services.Provider.GetAdministration("refresh"));
        Assert.Null(services.Services.GetKeyedService<ClusterSelector>("refresh"));
        Assert.Same(services.Services.GetRequiredService<IClusterSelectorProvider>(), services.Provider);
    }

    [Fact]
    public void KeyedService_ResolvedFirst_IsTheInstanceTheProviderReturnsLater()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());

        IClusterSelector keyed = services.Services.GetRequiredKeyedService<IClusterSelector>("refresh");

        Assert.Same(keyed, services.Provider.GetCluster("refresh"));
        Assert.Equal("refresh", keyed.ClusterName);
    }

    [Fact]
    public void Mode_RoundRobinFromConfiguration_RotatesAndNeverSelectsTheDisabledMember()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");

        string[] chosen = cluster.SelectIds(6);

        Assert.Equal(["gw-0", "gw-2", "gw-0", "gw-2", "gw-0", "gw-2"], chosen);
    }

    [Fact]
    public void ConcurrentOperationLimitPreview_FromConfiguration_LimitsLeasesPerMember()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        var leases = new List<MemberLease>();
        for (int i = 0; i < 3; i++)
        {
            Assert.True(cluster.TrySelectPrimary(out MemberLease lease, out _));
            leases.Add(lease);
        }

        Assert.False(cluster.TrySelectPrimary(out _, out SelectionFailure failure));

        Assert.Equal(new MemberRejection("gw-0", MemberRejectionReason.ConcurrencyLimit), failure.GetRejection(0));
        Assert.Equal(3, cluster.GetStatus().Members[0].InFlight);
        leases.ForEach(l => l.Dispose());
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
    }

    [Fact]
    public void BypassConcurrentOperationLimit_True_RemovesTheLimit()
    {
        using RoutingServices services = RoutingServices.Create(Refresh(bypass: true));
        ClusterSelector cluster = services.Cluster("refresh");
        var leases = new List<MemberLease>();
        for (int i = 0; i < 50; i++)
        {
            Assert.True(cluster.TrySelectPrimary(out MemberLease lease, out _));
            leases.Add(lease);
        }

        ClusterStatus status = cluster.GetStatus();

        Assert.Equal([null, null, null], status.Members.Select(m => m.ConcurrencyLimit));
        Assert.Equal(50, status.Members[0].InFlight);
        leases.ForEach(l => l.Dispose());
    }

    [Fact]
    public void CPUUtilizationPercentageThreshold_FromConfiguration_ThrottlesAMemberAtOrOverIt()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");

        Assert.True(cluster.ReportUtilization("gw-0", 79.9, 0));
        Assert.Equal(MemberRejectionReason.None, cluster.GetStatus().Members[0].Throttle);
        Assert.True(cluster.ReportUtilization("gw-2", 80, 0));

        MemberStatus member = cluster.GetStatus().Members[2];
        Assert.Equal(MemberRejectionReason.CpuLimit, member.Throttle);
        Assert.Equal(80, member.CpuPercent);
        Assert.Equal(["gw-0", "gw-0", "gw-0"], cluster.SelectIds(3));
    }

    [Fact]
    public void MemoryUtilizationPercentageThreshold_FromConfiguration_ThrottlesAMemberAtOrOverIt()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");

        cluster.ReportUtilization("gw-0", 0, 69.9);
        cluster.ReportUtilization("gw-2", 0, 70);

        ClusterStatus status = cluster.GetStatus();
        Assert.Equal(MemberRejectionReason.None, status.Members[0].Throttle);
        Assert.Equal(MemberRejectionReason.MemoryLimit, status.Members[2].Throttle);
        Assert.Equal(70, status.Members[2].MemoryPercent);
        Assert.Equal(["gw-0", "gw-0"], cluster.SelectIds(2));
    }

    [Fact]
    public void ResourceUtilizationAggregationTimeInMinutes_FromConfiguration_IsTheWindow()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        cluster.ReportUtilization("gw-0", 95, 0);

        services.Time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromTicks(1));
        Assert.Equal(MemberRejectionReason.CpuLimit, cluster.GetStatus().Members[0].Throttle);
        services.Time.Advance(TimeSpan.FromTicks(1));

        MemberStatus member = cluster.GetStatus().Members[0];
        Assert.Equal(MemberRejectionReason.None, member.Throttle);
        Assert.Null(member.CpuPercent);
    }

    [Fact]
    public void MemberRefusalCoolDown_FromConfiguration_IsTheDefaultCoolDown()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");

        Assert.True(cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu));

        MemberStatus member = cluster.GetStatus().Members[0];
        Assert.Equal(MemberRejectionReason.CpuLimit, member.Throttle);
        Assert.Equal(TimeSpan.FromSeconds(10), member.ThrottleRetryAfter);
        services.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(MemberRejectionReason.None, cluster.GetStatus().Members[0].Throttle);
    }

    [Fact]
    public void OfflinePenaltyBaseDuration_FromConfiguration_IsTheFirstPenalty()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");

        Assert.True(cluster.ReportOffline("gw-0"));

        MemberStatus member = cluster.GetStatus().Members[0];
        Assert.Equal(MemberHealth.Penalized, member.Health);
        Assert.Equal(services.Time.GetUtcNow() + TimeSpan.FromSeconds(7), member.PenalizedUntil);
    }

    [Fact]
    public void GetCluster_SectionWithOnlyMembers_UsesTheGatewayDefaults()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster("plain", Settings.Members(2)));
        ClusterSelector cluster = services.Cluster("plain");

        ClusterStatus status = cluster.GetStatus();

        Assert.Equal(SelectionMode.Failover, status.Mode);
        Assert.Equal([40, 40], status.Members.Select(m => m.ConcurrencyLimit));
        Assert.True(cluster.ReportUtilization("gw-0", 100, 100));
        Assert.Equal(MemberRejectionReason.None, cluster.GetStatus().Members[0].Throttle);
    }

    [Fact]
    public void TwoClusters_InOneConfiguration_AreIndependent()
    {
        using RoutingServices services = RoutingServices.Create(
            Settings.Cluster("refresh", [("CPUUtilizationPercentageThreshold", "80"), .. Settings.Members(2)])
                .Concat(Settings.Cluster("directquery", [("Mode", "RoundRobin"), ("ConcurrentOperationLimitPreview", "5"), .. Settings.Members(3)])));
        ClusterSelector refresh = services.Cluster("refresh");
        ClusterSelector directQuery = services.Cluster("directquery");

        Assert.True(refresh.ReportUtilization("gw-0", 90, 0));
        Assert.True(directQuery.ReportUtilization("gw-0", 90, 0));

        Assert.NotSame(refresh, directQuery);
        Assert.Equal(MemberRejectionReason.CpuLimit, refresh.GetStatus().Members[0].Throttle);
        Assert.Equal(MemberRejectionReason.None, directQuery.GetStatus().Members[0].Throttle);
        Assert.Equal(SelectionMode.Failover, refresh.Mode);
        Assert.Equal(SelectionMode.RoundRobin, directQuery.Mode);
        Assert.Equal([40, 40], refresh.GetStatus().Members.Select(m => m.ConcurrencyLimit));
        Assert.Equal([5, 5, 5], directQuery.GetStatus().Members.Select(m => m.ConcurrencyLimit));
        Assert.Equal("gw-1", refresh.SelectOnce());
        Assert.Equal(["gw-0", "gw-1", "gw-2"], directQuery.SelectIds(3));
    }

    [Fact]
    public void ClusterNames_ListsEveryConfiguredCluster()
    {
        using RoutingServices services = RoutingServices.Create(
            Settings.Cluster("refresh", Settings.Members(1)).Concat(Settings.Cluster("directquery", Settings.Members(1))));

        Assert.Equal(["directquery", "refresh"], services.Provider.ClusterNames.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void GetCluster_UnknownName_ThrowsArgumentExceptionNamingTheParameter()
    {
        using RoutingServices services = RoutingServices.Create(
            Settings.Cluster("refresh", Settings.Members(1)).Concat(Settings.Cluster("directquery", Settings.Members(1))));

        var error = Assert.Throws<ArgumentException>(() => services.Provider.GetCluster("nope"));

        Assert.Equal("clusterName", error.ParamName);
        Assert.Equal("No cluster named 'nope' is registered; registered: directquery, refresh. (Parameter 'clusterName')", error.Message);
    }

    [Fact]
    public void GetCluster_NameInAnotherCase_IsNotFound()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster("refresh", Settings.Members(1)));

        var error = Assert.Throws<ArgumentException>(() => services.Provider.GetCluster("Refresh"));

        Assert.Equal("clusterName", error.ParamName);
    }

    [Fact]
    public void GetCluster_Null_ThrowsArgumentNullException()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster("refresh", Settings.Members(1)));

        var error = Assert.Throws<ArgumentNullException>(() => services.Provider.GetCluster(null!));

        Assert.Equal("clusterName", error.ParamName);
    }

    [Fact]
    public void KeyedService_UnknownName_IsNotRegistered()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster("refresh", Settings.Members(1)));

        Assert.Null(services.Services.GetKeyedService<IClusterSelector>("nope"));
    }

    [Fact]
    public void AddCluster_SameNameTwice_Throws()
    {
        IConfiguration section = new ConfigurationBuilder().AddInMemoryCollection(Settings.Members(1).Select(m => new KeyValuePair<string, string?>(m.Key, m.Value))).Build();
        var services = new ServiceCollection();
        IClusterRoutingBuilder builder = services.AddClusterRouting().AddCluster("refresh", section);

        var fromSection = Assert.Throws<ArgumentException>(() => builder.AddCluster("refresh", section));
        var fromCode = Assert.Throws<ArgumentException>(() => services.AddClusterRouting().AddCluster("refresh", o => o.Members.Add(new("gw-0"))));

        Assert.Equal("name", fromSection.ParamName);
        Assert.Equal("A cluster named 'refresh' is already registered. (Parameter 'name')", fromSection.Message);
        Assert.Equal(fromSection.Message, fromCode.Message);
    }

    [Fact]
    public void AddClusterRouting_ConfigurationNamingAClusterAddedInCode_Throws()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings.Cluster("refresh", Settings.Members(1))).Build();
        var services = new ServiceCollection();
        services.AddClusterRouting().AddCluster("refresh", o => o.Members.Add(new("gw-0")));

        var error = Assert.Throws<ArgumentException>(() => services.AddClusterRouting(configuration.GetSection(RoutingServices.Section)));

        Assert.Equal("A cluster named 'refresh' is already registered. (Parameter 'name')", error.Message);
    }

    [Fact]
    public void AddCluster_InCodeAndFromConfiguration_BothResolve()
    {
        using RoutingServices services = RoutingServices.Create(
            Settings.Cluster("refresh", Settings.Members(2)),
            routing => routing.AddCluster("coded", o =>
            {
                o.Mode = SelectionMode.Random;
                o.Members.Add(new("a", "1.0"));
                o.Members.Add(new("b", "1.0", enabled: false));
            }));

        ClusterStatus coded = services.Provider.GetCluster("coded").GetStatus();

        Assert.Equal(["coded", "refresh"], services.Provider.ClusterNames.Order(StringComparer.Ordinal));
        Assert.Equal(SelectionMode.Random, coded.Mode);
        Assert.Equal(["a", "b"], coded.Members.Select(m => m.Id));
        Assert.Equal([true, false], coded.Members.Select(m => m.Enabled));
        Assert.Equal("a", services.Cluster("coded").SelectOnce());
    }

    [Fact]
    public void AddCluster_PostConfigure_AppliesAfterBinding()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Settings.Cluster("refresh", [("ConcurrentOperationLimitPreview", "3"), .. Settings.Members(1)]))
            .Build();
        var services = new ServiceCollection();
        services.AddClusterRouting().AddCluster("refresh", configuration.GetSection("ClusterRouting:refresh"), o => o.ConcurrentOperationLimitPreview = 7);
        using ServiceProvider provider = services.BuildServiceProvider();

        var cluster = (ClusterSelector)provider.GetRequiredKeyedService<IClusterAdministration>("refresh");

        Assert.Equal(7, cluster.GetStatus().Members[0].ConcurrencyLimit);
    }
}
