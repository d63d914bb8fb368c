using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.HealthChecks.Tests;

/// <summary>
/// The health check of a cluster run through the real <see cref="HealthCheckService"/>: what each member state makes
/// of the cluster's status, what the data says, and the registration paths (one cluster, every cluster, a cluster
/// removed at runtime, a name that is not registered).
/// </summary>
public sealed class ClusterHealthCheckTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));
    private ServiceProvider? _services;

    public void Dispose() => _services?.Dispose();

    [Fact]
    public async Task EveryMemberReady_IsHealthy_AndTheDataListsEachMember()
    {
        ClusterSelector sales = Build(b => b.AddClusterRouting("sales"));

        HealthReportEntry entry = await Check("cluster_routing.sales");

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("Cluster 'sales': all 3 members can take work.", entry.Description);
        Assert.Equal("Failover", entry.Data["mode"]);
        Assert.Equal(3, entry.Data["members"]);
        Assert.Equal(3, entry.Data["ready"]);
        Assert.Equal("gw-0 (primary, online, 0/40 in flight)", entry.Data["member:gw-0"]);
        Assert.Equal(["member:gw-0", "member:gw-1", "member:gw-2"], entry.Data.Keys.Where(k => k.StartsWith("member:", StringComparison.Ordinal)));
        GC.KeepAlive(sales);
    }

    [Fact]
    public async Task SomeMembersOfflineThrottledOrDisabled_IsDegraded_NamingEach()
    {
        ClusterSelector sales = Build(b => b.AddClusterRouting("sales"));
        sales.ReportOffline("gw-0");
        sales.ReportUtilization("gw-1", 95, 10);

        HealthReportEntry entry = await Check("cluster_routing.sales");

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("Cluster 'sales': 1 of 3 members can take work; gw-0 offline, gw-1 throttled (CpuLimit).", entry.Description);
        Assert.Equal(1, entry.Data["ready"]);
        Assert.StartsWith("gw-0 (primary, penalized until 10:00:05Z", (string)entry.Data["member:gw-0"], StringComparison.Ordinal);

        sales.SetMemberEnabled("gw-2", false);
        entry = await Check("cluster_routing.sales");
        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
    }

    [Fact]
    public async Task NoMemberCanTakeWork_IsTheFailureStatus()
    {
        ClusterSelector sales = Build(b => b.AddClusterRouting("sales", failureStatus: HealthStatus.Degraded, name: "sales-check"));
        sales.ReportOffline("gw-0");
        sales.ReportUtilization("gw-1", 95, 10);
        sales.SetMemberEnabled("gw-2", false);

        HealthReportEntry entry = await Check("sales-check");

        Assert.Equal(HealthStatus.Degraded, entry.Status); // the registration's failure status
        Assert.Equal("Cluster 'sales': no member can take work; gw-0 offline, gw-1 throttled (CpuLimit), gw-2 disabled.", entry.Description);
        Assert.Equal(0, entry.Data["ready"]);
    }

    [Fact]
    public async Task DefaultFailureStatus_IsUnhealthy()
    {
        ClusterSelector sales = Build(b => b.AddClusterRouting("sales"));
        foreach (string id in new[] { "gw-0", "gw-1", "gw-2" })
        {
            sales.SetMemberEnabled(id, false);
        }

        Assert.Equal(HealthStatus.Unhealthy, (await Check("cluster_routing.sales")).Status);
    }

    [Fact]
    public async Task MemberAtItsConcurrencyLimit_IsFull_AndAProbingMemberStillCountsAsReady()
    {
        ClusterSelector sales = Build(b => b.AddClusterRouting("sales"), limit: 1);
        IClusterSelector selector = _services!.GetRequiredService<IClusterSelectorProvider>().GetCluster("sales");
        using MemberLease held = selector.Select(); // gw-0 full
        sales.ReportOffline("gw-1");
        _time.Advance(TimeSpan.FromSeconds(5)); // gw-1's penalty ends: probing

        HealthReportEntry entry = await Check("cluster_routing.sales");

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("Cluster 'sales': 2 of 3 members can take work; gw-0 full, gw-1 probing.", entry.Description);
    }

    [Fact]
    public async Task EveryClusterRegistration_ChecksEachCluster_AndARemovedOneReportsHealthyAsGone()
    {
        Build(b => b.AddClusterRouting(), clusters: ["sales", "refresh"]);
        IClusterSelectorProvider provider = _services!.GetRequiredService<IClusterSelectorProvider>();
        provider.GetCluster("refresh").ReportUtilization("gw-0", 99, 0);

        HealthReport report = await _services!.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        Assert.Equal(["cluster_routing.refresh", "cluster_routing.sales"], report.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(HealthStatus.Degraded, report.Entries["cluster_routing.refresh"].Status);
        Assert.Equal(HealthStatus.Healthy, report.Entries["cluster_routing.sales"].Status);

        Assert.True(provider.RemoveCluster("refresh"));
        report = await _services!.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Entries["cluster_routing.refresh"].Status);
        Assert.Equal("No cluster named 'refresh' is registered.", report.Entries["cluster_routing.refresh"].Description);
    }

    [Fact]
    public async Task NamedClusterNotRegistered_FailsNamingIt()
    {
        Build(b => b.AddClusterRouting("salse"));

        HealthReportEntry entry = await Check("cluster_routing.salse");

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("No cluster named 'salse' is registered.", entry.Description);
    }

    [Fact]
    public async Task NamedClusterRemoved_FailsNamingIt()
    {
        Build(b => b.AddClusterRouting("sales"));
        _services!.GetRequiredService<IClusterSelectorProvider>().RemoveCluster("sales");

        HealthReportEntry entry = await Check("cluster_routing.sales");

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
    }

    [Fact]
    public async Task InvalidClusterOptions_FailWithTheValidationMessage()
    {
        Build(b => b.AddClusterRouting("sales"), cpuThreshold: "150");

        HealthReportEntry entry = await Check("cluster_routing.sales");

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Contains("CPUUtilizationPercentageThreshold", entry.Description, StringComparison.Ordinal);
        Assert.NotNull(entry.Exception);
    }

    [Fact]
    public async Task InvalidClusterOptions_TheCheckItselfAnswers_NamingTheClusterAndTheField()
    {
        // Through the check alone, not HealthCheckService (which would turn any exception into an entry): invalid
        // options are an answer of the check, naming the cluster, never an exception out of it.
        Build(b => b.AddClusterRouting("sales"), cpuThreshold: "150");
        IHealthCheck check = Registration("cluster_routing.sales").Factory(_services!);

        HealthCheckResult result = await check.CheckHealthAsync(new HealthCheckContext { Registration = Registration("cluster_routing.sales") });

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("Cluster 'sales': CPUUtilizationPercentageThreshold: The field sales.CPUUtilizationPercentageThreshold must be between 0 and 100.", result.Description);
        Assert.IsType<OptionsValidationException>(result.Exception);
    }

    [Fact]
    public async Task UnconvertibleConfigurationValue_TheCheckItselfAnswers_NamingTheCluster()
    {
        Build(b => b.AddClusterRouting("sales"), cpuThreshold: "eighty");
        IHealthCheck check = Registration("cluster_routing.sales").Factory(_services!);

        HealthCheckResult result = await check.CheckHealthAsync(new HealthCheckContext { Registration = Registration("cluster_routing.sales") });

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.StartsWith("Cluster 'sales': ", result.Description, StringComparison.Ordinal);
        Assert.Contains("CPUUtilizationPercentageThreshold", result.Description, StringComparison.Ordinal);
        Assert.NotNull(result.Exception);
    }

    [Fact]
    public async Task ClusterRemovedBetweenTheNameCheckAndTheRead_FailsNamingIt()
    {
        // A provider that still lists the cluster and then no longer has it (removed between the two reads).
        var provider = new VanishingProvider("sales", new ArgumentException("No cluster named 'sales' is registered.", "clusterName"));
        HealthReportEntry entry = await CheckWith(provider, b => b.AddClusterRouting("sales", failureStatus: HealthStatus.Degraded));

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("Cluster 'sales': No cluster named 'sales' is registered. (Parameter 'clusterName')", entry.Description);
        Assert.IsType<ArgumentException>(entry.Exception);
    }

    [Fact]
    public async Task ClusterDisposedOrUnreadable_FailsNamingIt()
    {
        HealthReportEntry disposed = await CheckWith(new VanishingProvider("sales", new ObjectDisposedException("ClusterSelector")), b => b.AddClusterRouting("sales"));
        HealthReportEntry unreadable = await CheckWith(new VanishingProvider("sales", new InvalidOperationException("Mode 'Sideways' is not valid.")), b => b.AddClusterRouting("sales"));

        Assert.Equal(HealthStatus.Unhealthy, disposed.Status);
        Assert.StartsWith("Cluster 'sales': Cannot access a disposed object.", disposed.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, unreadable.Status);
        Assert.Equal("Cluster 'sales': Mode 'Sideways' is not valid.", unreadable.Description);
    }

    [Fact]
    public async Task UnexpectedException_IsNotDisguisedAsTheClustersAnswer()
    {
        // Only what a removed, disposed or misconfigured cluster throws is the check's answer; anything else escapes it.
        var provider = new VanishingProvider("sales", new NotSupportedException("a bug"));
        var services = new ServiceCollection().AddSingleton<IClusterSelectorProvider>(provider);
        services.AddHealthChecks().AddClusterRouting("sales");
        await using ServiceProvider built = services.BuildServiceProvider();
        HealthCheckRegistration registration = built.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Single();

        await Assert.ThrowsAsync<NotSupportedException>(() => registration.Factory(built).CheckHealthAsync(new HealthCheckContext { Registration = registration }));
    }

    [Fact]
    public async Task NoMembersLeft_IsTheFailureStatus_SayingSo()
    {
        ClusterSelector sales = Build(b => b.AddClusterRouting("sales"));
        foreach (string id in new[] { "gw-0", "gw-1", "gw-2" })
        {
            Assert.True(sales.RemoveMember(id));
        }

        HealthReportEntry entry = await Check("cluster_routing.sales");

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("Cluster 'sales' has no members.", entry.Description);
        Assert.Equal(0, entry.Data["members"]);
        Assert.Equal(0, entry.Data["ready"]);
    }

    [Fact]
    public async Task OneMemberReady_IsHealthy_SayingItsMember()
    {
        ClusterSelector sales = Build(b => b.AddClusterRouting("sales"));
        Assert.True(sales.RemoveMember("gw-1"));
        Assert.True(sales.RemoveMember("gw-2"));

        HealthReportEntry entry = await Check("cluster_routing.sales");

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("Cluster 'sales': its member can take work.", entry.Description);
    }

    [Fact]
    public async Task EveryClusterRegistration_CarriesItsTags_AndNoTagsWhenNoneAreGiven()
    {
        Build(b => b.AddClusterRouting(HealthStatus.Degraded, ["ready", "routing"]), clusters: ["sales", "refresh"]);
        List<HealthCheckRegistration> tagged = Registrations();

        Assert.All(tagged, r => Assert.Equal(["ready", "routing"], r.Tags.Order(StringComparer.Ordinal)));
        Assert.All(tagged, r => Assert.Equal(HealthStatus.Degraded, r.FailureStatus));
        HealthReport ready = await _services!.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"));
        Assert.Equal(2, ready.Entries.Count);

        _services!.Dispose();
        Build(b => b.AddClusterRouting(), clusters: ["sales"]);
        Assert.Empty(Assert.Single(Registrations()).Tags);
    }

    [Fact]
    public void Registration_EmptyClusterName_SaysWhatIsWrong()
    {
        IHealthChecksBuilder builder = new ServiceCollection().AddHealthChecks();

        ArgumentException error = Assert.Throws<ArgumentException>(() => builder.AddClusterRouting(""));

        Assert.Equal("The value cannot be empty or white space. (Parameter 'clusterName')", error.Message);
    }

    [Fact]
    public void Registration_BadArguments_AreNamed()
    {
        IHealthChecksBuilder builder = new ServiceCollection().AddHealthChecks();

        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ((IHealthChecksBuilder)null!).AddClusterRouting("x")).ParamName);
        Assert.Equal("clusterName", Assert.Throws<ArgumentNullException>(() => builder.AddClusterRouting((string)null!)).ParamName);
        Assert.Equal("clusterName", Assert.Throws<ArgumentException>(() => builder.AddClusterRouting(" ")).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ((IHealthChecksBuilder)null!).AddClusterRouting()).ParamName);
    }

    private ClusterSelector Build(Action<IHealthChecksBuilder> checks, string[]? clusters = null, int limit = 40, string cpuThreshold = "80")
    {
        clusters ??= ["sales"];
        var settings = new Dictionary<string, string?>();
        foreach (string cluster in clusters)
        {
            settings[$"ClusterRouting:{cluster}:CPUUtilizationPercentageThreshold"] = cpuThreshold;
            settings[$"ClusterRouting:{cluster}:ConcurrentOperationLimitPreview"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[$"ClusterRouting:{cluster}:OfflinePenaltyJitter"] = "0";
            for (int i = 0; i < 3; i++)
            {
                settings[$"ClusterRouting:{cluster}:Members:{i}:Id"] = $"gw-{i}";
            }
        }

        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddLogging();
        services.AddClusterRouting(configuration.GetSection("ClusterRouting"));
        checks(services.AddHealthChecks());
        _services = services.BuildServiceProvider();
        return cpuThreshold == "80" ? (ClusterSelector)_services.GetRequiredService<IClusterSelectorProvider>().GetCluster(clusters[0]) : null!;
    }

    private List<HealthCheckRegistration> Registrations() =>
        _services!.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.ToList();

    private HealthCheckRegistration Registration(string name) => Assert.Single(Registrations(), r => r.Name == name);

    private static async Task<HealthReportEntry> CheckWith(IClusterSelectorProvider provider, Action<IHealthChecksBuilder> checks)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(provider);
        checks(services.AddHealthChecks());
        await using ServiceProvider built = services.BuildServiceProvider();
        HealthReport report = await built.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        return Assert.Single(report.Entries).Value;
    }

    private async Task<HealthReportEntry> Check(string name)
    {
        HealthReport report = await _services!.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == name);
        return Assert.Single(report.Entries, e => e.Key == name).Value;
    }
}

/// <summary>A provider that lists one cluster but throws <paramref name="failure"/> when it is read.</summary>
internal sealed class VanishingProvider(string name, Exception failure) : IClusterSelectorProvider
{
    public IReadOnlyCollection<string> ClusterNames => [name];

    public IClusterSelector GetCluster(string clusterName) => throw failure;

    public IClusterAdministration GetAdministration(string clusterName) => throw failure;

    public bool RemoveCluster(string clusterName) => throw new NotSupportedException();
}
