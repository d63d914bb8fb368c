using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Hosting;

public class OptionsValidationTests
{
    private static readonly TimeSpan HostTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Several errors at once: duplicate ids ignoring case, an empty id, CPU 101, window 0, limit 0, mode 7, base penalty 0.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> Invalid(string cluster) => Settings.Cluster(
        cluster,
        ("Mode", "7"),
        ("CPUUtilizationPercentageThreshold", "101"),
        ("ResourceUtilizationAggregationTimeInMinutes", "0"),
        ("ConcurrentOperationLimitPreview", "0"),
        ("OfflinePenaltyBaseDuration", "00:00:00"),
        ("Members:0:Id", "gw-1"),
        ("Members:1:Id", "GW-1"),
        ("Members:2:Id", string.Empty),
        ("Members:2:Version", "3000.250.5"));

    private static string[] InvalidFailures(string cluster) =>
    [
        $"Cluster '{cluster}': CPUUtilizationPercentageThreshold: The field {cluster}.CPUUtilizationPercentageThreshold must be between 0 and 100.",
        $"Cluster '{cluster}': ResourceUtilizationAggregationTimeInMinutes: The field {cluster}.ResourceUtilizationAggregationTimeInMinutes must be between 1 and 2147483647.",
        $"Cluster '{cluster}': ConcurrentOperationLimitPreview: The field {cluster}.ConcurrentOperationLimitPreview must be between 1 and 2147483647.",
        $"Cluster '{cluster}': Members[1].Id 'GW-1' duplicates Members[0].Id (member ids are compared ignoring case).",
        $"Cluster '{cluster}': Members[2].Id must not be empty or whitespace.",
        $"Cluster '{cluster}': Mode 7 is not a SelectionMode (Failover, Random, RoundRobin or LeastLoaded).",
        $"Cluster '{cluster}': OfflinePenaltyBaseDuration must be greater than zero (was 00:00:00).",
    ];

    [Fact]
    public void GetCluster_SeveralInvalidSettings_ThrowsOptionsValidationExceptionListingEachExactly()
    {
        using RoutingServices services = RoutingServices.Create(Invalid("bad"));

        var error = Assert.Throws<OptionsValidationException>(() => services.Provider.GetCluster("bad"));

        Assert.Equal("bad", error.OptionsName);
        Assert.Equal(typeof(ClusterOptions), error.OptionsType);
        Assert.Equal(InvalidFailures("bad"), error.Failures);
        Assert.Equal(string.Join("; ", InvalidFailures("bad")), error.Message);
    }

    [Fact]
    public void KeyedService_InvalidSettings_ThrowsOptionsValidationException()
    {
        using RoutingServices services = RoutingServices.Create(Invalid("bad"));

        var error = Assert.Throws<OptionsValidationException>(() => services.Services.GetRequiredKeyedService<IClusterSelector>("bad"));

        Assert.Equal(InvalidFailures("bad"), error.Failures);
    }

    [Fact]
    public void GetCluster_OneInvalidCluster_DoesNotAffectAValidOne()
    {
        using RoutingServices services = RoutingServices.Create(Invalid("bad").Concat(Settings.Cluster("good", Settings.Members(2))));

        Assert.Throws<OptionsValidationException>(() => services.Provider.GetCluster("bad"));

        Assert.Equal("gw-0", services.Cluster("good").SelectOnce());
    }

    [Fact]
    public async Task HostStart_ValidateOnStart_ThrowsOptionsValidationExceptionWithEveryFailure()
    {
        HostApplicationBuilder builder = CreateHostBuilder(Invalid("bad"));
        using IHost host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(HostTimeout));

        // Validated through the registry (no options monitor of ClusterOptions): each failure names the cluster.
        Assert.Equal(InvalidFailures("bad"), error.Failures);
    }

    [Fact]
    public async Task HostStart_ValueTheBinderCannotConvert_FailsNamingTheCluster()
    {
        HostApplicationBuilder builder = CreateHostBuilder(Settings.Cluster("sideways", ("Mode", "Sideways"), ("Members:0:Id", "gw-0")));
        using IHost host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(HostTimeout));

        string failure = Assert.Single(error.Failures);
        Assert.StartsWith("Cluster 'sideways': ", failure, StringComparison.Ordinal);
        Assert.Contains("Mode", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ThrottlePolicyForAnUnregisteredCluster_FailsNamingIt()
    {
        // Without a host, and with two clusters registered, so the message lists them both.
        var services = new ServiceCollection();
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(Settings.Cluster("refresh", Settings.Members(2)).Concat(Settings.Cluster("directquery", Settings.Members(1))))
            .Build();
        services.AddSingleton(new MaintenanceSchedule());
        services.AddClusterRouting(configuration.GetSection(RoutingServices.Section)).AddThrottlePolicy<MaintenancePolicy>("refrsh");
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IClusterSelectorProvider>());

        Assert.Equal("AddThrottlePolicy<MaintenancePolicy>(\"refrsh\") names no registered cluster; registered: directquery, refresh.", error.Message);
    }

    [Fact]
    public async Task HostStart_ThrottlePolicyForAnUnregisteredCluster_FailsNamingIt()
    {
        HostApplicationBuilder builder = CreateHostBuilder(Settings.Cluster("refresh", Settings.Members(2)));
        builder.Services.AddSingleton(new MaintenanceSchedule());
        builder.Services.AddClusterRouting().AddThrottlePolicy<MaintenancePolicy>("refrsh");
        using IHost host = builder.Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WaitAsync(HostTimeout));

        Assert.Equal("AddThrottlePolicy<MaintenancePolicy>(\"refrsh\") names no registered cluster; registered: refresh.", error.Message);
    }

    [Fact]
    public void GetCluster_ThrottlePolicyForAnUnregisteredCluster_FailsNamingIt_WithoutAHost()
    {
        using RoutingServices services = RoutingServices.Create(
            Settings.Cluster("refresh", Settings.Members(2)),
            routing => routing.AddThrottlePolicy<MaintenancePolicy>("other"),
            s => s.AddSingleton(new MaintenanceSchedule()));

        var error = Assert.Throws<InvalidOperationException>(() => services.Provider.GetCluster("refresh"));

        Assert.Contains("AddThrottlePolicy<MaintenancePolicy>(\"other\")", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HostStart_ValidConfiguration_StartsAndServesTheCluster()
    {
        HostApplicationBuilder builder = CreateHostBuilder(Settings.Cluster("refresh", [("Mode", "RoundRobin"), .. Settings.Members(2)]));
        using IHost host = builder.Build();

        await host.StartAsync().WaitAsync(HostTimeout);
        try
        {
            var cluster = (ClusterSelector)host.Services.GetRequiredKeyedService<IClusterSelector>("refresh");
            Assert.Same(cluster, host.Services.GetRequiredService<IClusterSelectorProvider>().GetCluster("refresh"));
            Assert.Equal(["gw-0", "gw-1", "gw-0"], cluster.SelectIds(3));
        }
        finally
        {
            await host.StopAsync().WaitAsync(HostTimeout);
        }
    }

    [Fact]
    public async Task HostStart_ElevenMembers_IsNotAValidationErrorButLogsAWarning()
    {
        HostApplicationBuilder builder = CreateHostBuilder(Settings.Cluster("big", Settings.Members(11)));
        builder.Logging.AddFakeLogging();
        using IHost host = builder.Build();

        await host.StartAsync().WaitAsync(HostTimeout);
        try
        {
            var cluster = (ClusterSelector)host.Services.GetRequiredKeyedService<IClusterSelector>("big");
            ClusterStatus status = cluster.GetStatus();
            Assert.Equal(11, status.Members.Count);
            Assert.True(status.ExceedsMemberLimit);
            Assert.Equal("gw-0", cluster.SelectOnce());
            FakeLogRecord warning = Assert.Single(host.Services.GetFakeLogCollector().WithEvent("MemberLimitExceeded"));
            Assert.Equal(LogLevel.Warning, warning.Level);
            Assert.Equal("11", warning.GetStructuredStateValue("MemberCount"));
            Assert.Throws<ClusterCapacityExceededException>(() => cluster.AddMember("gw-11"));
        }
        finally
        {
            await host.StopAsync().WaitAsync(HostTimeout);
        }
    }

    [Fact]
    public void Validate_ElevenMembers_Succeeds()
    {
        var services = new ServiceCollection();
        services.AddClusterRouting().AddCluster("big", o =>
        {
            for (int i = 0; i < 11; i++)
            {
                o.Members.Add(new($"gw-{i}"));
            }
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        ClusterOptions options = provider.GetRequiredService<IOptionsMonitor<ClusterOptions>>().Get("big");

        Assert.Equal(11, options.Members.Count);
        Assert.Equal(11, provider.GetRequiredService<IClusterSelectorProvider>().GetCluster("big").MemberCount);
    }

    [Fact]
    public void OptionsMonitor_InvalidClusterConfiguredInCode_FailsWithTheClusterNamedMessage()
    {
        var services = new ServiceCollection();
        services.AddClusterRouting().AddCluster("coded", o => o.ConcurrentOperationLimitPreview = 0);
        using ServiceProvider provider = services.BuildServiceProvider();
        IOptionsMonitor<ClusterOptions> monitor = provider.GetRequiredService<IOptionsMonitor<ClusterOptions>>();

        var error = Assert.Throws<OptionsValidationException>(() => monitor.Get("coded"));

        Assert.Equal(["Cluster 'coded': ConcurrentOperationLimitPreview: The field coded.ConcurrentOperationLimitPreview must be between 1 and 2147483647."], error.Failures);
    }

    private static HostApplicationBuilder CreateHostBuilder(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [],
            DisableDefaults = true,
            EnvironmentName = Environments.Development,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        builder.Services.AddClusterRouting(builder.Configuration.GetSection(RoutingServices.Section));
        return builder;
    }
}
