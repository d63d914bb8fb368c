using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Hosting;

public class ConfigurationReloadTests
{
    private static IEnumerable<KeyValuePair<string, string?>> Refresh() => Settings.Cluster(
        "refresh",
        ("Mode", "Failover"),
        ("CPUUtilizationPercentageThreshold", "90"),
        ("OfflinePenaltyJitter", "0"),
        ("Members:0:Id", "gw-0"),
        ("Members:1:Id", "gw-1"),
        ("Members:2:Id", "gw-2"));

    [Fact]
    public void Reload_ValidChange_TheSameInstanceReflectsIt()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        cluster.ReportUtilization("gw-1", 60, 0);
        Assert.Equal(MemberRejectionReason.None, cluster.GetStatus().Members[1].Throttle);

        services.Set("refresh", "Members:3:Id", "gw-3");
        services.Set("refresh", "Members:2:Enabled", "false");
        services.Set("refresh", "Mode", "RoundRobin");
        services.Set("refresh", "CPUUtilizationPercentageThreshold", "50");
        Exception? thrown = Record.Exception(services.Configuration.Reload);

        Assert.Null(thrown);
        Assert.Same(cluster, services.Provider.GetCluster("refresh"));
        ClusterStatus status = cluster.GetStatus();
        Assert.Equal(SelectionMode.RoundRobin, status.Mode);
        Assert.Equal(["gw-0", "gw-1", "gw-2", "gw-3"], status.Members.Select(m => m.Id));
        Assert.Equal([true, true, false, true], status.Members.Select(m => m.Enabled));
        Assert.Equal(MemberRejectionReason.CpuLimit, status.Members[1].Throttle);
        Assert.Equal(["gw-0", "gw-3", "gw-0", "gw-3"], cluster.SelectIds(4));
        Assert.Empty(services.Log.WithEvent("ConfigurationRejected"));
    }

    [Fact]
    public void Reload_KeepsLeasesPenaltyAndUtilizationOfMembersThatStay()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        Assert.True(cluster.TrySelectPrimary(out MemberLease lease, out _));
        Assert.True(cluster.ReportOffline("gw-1"));
        DateTimeOffset? penalizedUntil = cluster.GetStatus().Members[1].PenalizedUntil;
        Assert.True(cluster.ReportUtilization("gw-2", 42, 17));

        services.Set("refresh", "Members:3:Id", "gw-3");
        services.Set("refresh", "Mode", "RoundRobin");
        services.Configuration.Reload();

        ClusterStatus status = cluster.GetStatus();
        Assert.Equal(1, status.Members[0].InFlight);
        Assert.Equal(MemberHealth.Penalized, status.Members[1].Health);
        Assert.Equal(1, status.Members[1].ConsecutiveOfflineResults);
        Assert.Equal(penalizedUntil, status.Members[1].PenalizedUntil);
        Assert.Equal(42, status.Members[2].CpuPercent);
        Assert.Equal(17, status.Members[2].MemoryPercent);
        Assert.Equal(0, status.Members[3].InFlight);
        lease.Dispose();
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
        lease.Dispose();
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
    }

    [Fact]
    public void Reload_LeaseOnAMemberThatWasReordered_IsCountedAndReleasedCleanly()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        Assert.True(cluster.TrySelectPrimary(out MemberLease lease, out _));

        services.Set("refresh", "Members:0:Id", "gw-2");
        services.Set("refresh", "Members:2:Id", "gw-0");
        services.Configuration.Reload();

        ClusterStatus status = cluster.GetStatus();
        Assert.Equal(["gw-2", "gw-1", "gw-0"], status.Members.Select(m => m.Id));
        Assert.Equal([0, 0, 1], status.Members.Select(m => m.InFlight));
        lease.Dispose();
        Assert.Equal([0, 0, 0], cluster.GetStatus().Members.Select(m => m.InFlight));
    }

    [Fact]
    public void Reload_InvalidChange_KeepsTheLastGoodConfigurationAndLogsConfigurationRejected()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");

        services.Set("refresh", "Members:1:Id", "GW-0");
        services.Set("refresh", "Mode", "RoundRobin");
        Exception? thrown = Record.Exception(services.Configuration.Reload);

        // Regression: an options monitor re-created and re-validated the options on the same change, and its
        // OptionsValidationException escaped Reload() inside an AggregateException.
        Assert.Null(thrown);
        ClusterStatus status = cluster.GetStatus();
        Assert.Equal(SelectionMode.Failover, status.Mode);
        Assert.Equal(["gw-0", "gw-1", "gw-2"], status.Members.Select(m => m.Id));
        FakeLogRecord rejected = Assert.Single(services.Log.WithEvent("ConfigurationRejected"));
        Assert.Equal(16, rejected.Id.Id);
        Assert.Equal(LogLevel.Error, rejected.Level);
        Assert.Equal("refresh", rejected.GetStructuredStateValue("ClusterName"));
        Assert.Equal("Cluster 'refresh': Members[1].Id 'GW-0' duplicates Members[0].Id (member ids are compared ignoring case).", rejected.GetStructuredStateValue("Errors"));
        Assert.Equal(
            "A new configuration of cluster refresh was rejected and the last good one keeps serving: Cluster 'refresh': Members[1].Id 'GW-0' duplicates Members[0].Id (member ids are compared ignoring case).",
            rejected.Message);
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void Reload_SeveralInvalidValues_LogsEveryReasonInOneLine()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        services.Set("refresh", "ConcurrentOperationLimitPreview", "0");
        services.Set("refresh", "CPUUtilizationPercentageThreshold", "101");

        _ = Record.Exception(services.Configuration.Reload);

        FakeLogRecord rejected = Assert.Single(services.Log.WithEvent("ConfigurationRejected"));
        Assert.Equal(
            "Cluster 'refresh': CPUUtilizationPercentageThreshold: The field refresh.CPUUtilizationPercentageThreshold must be between 0 and 100. "
            + "Cluster 'refresh': ConcurrentOperationLimitPreview: The field refresh.ConcurrentOperationLimitPreview must be between 1 and 2147483647.",
            rejected.GetStructuredStateValue("Errors"));
        Assert.Equal([40, 40, 40], cluster.GetStatus().Members.Select(m => m.ConcurrencyLimit));
    }

    [Fact]
    public void Reload_ValidChangeAfterARejectedOne_Applies()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        services.Set("refresh", "ConcurrentOperationLimitPreview", "0");
        _ = Record.Exception(services.Configuration.Reload);
        Assert.Single(services.Log.WithEvent("ConfigurationRejected"));

        services.Set("refresh", "ConcurrentOperationLimitPreview", "2");
        Exception? thrown = Record.Exception(services.Configuration.Reload);

        Assert.Null(thrown);
        Assert.Equal([2, 2, 2], cluster.GetStatus().Members.Select(m => m.ConcurrencyLimit));
        Assert.Single(services.Log.WithEvent("ConfigurationRejected"));
    }

    [Fact]
    public void Reload_OneCluster_LeavesTheOtherAsItWas()
    {
        using RoutingServices services = RoutingServices.Create(Refresh().Concat(Settings.Cluster("directquery", Settings.Members(2))));
        ClusterSelector refresh = services.Cluster("refresh");
        ClusterSelector directQuery = services.Cluster("directquery");

        services.Set("refresh", "Mode", "RoundRobin");
        services.Set("directquery", "Members:0:Id", "GW-1");
        _ = Record.Exception(services.Configuration.Reload);

        Assert.Equal(SelectionMode.RoundRobin, refresh.Mode);
        Assert.Equal(["gw-0", "gw-1"], directQuery.GetStatus().Members.Select(m => m.Id));
        FakeLogRecord rejected = Assert.Single(services.Log.WithEvent("ConfigurationRejected"));
        Assert.Equal("directquery", rejected.GetStructuredStateValue("ClusterName"));
    }

    [Fact]
    public void Reload_UnparsableValue_KeepsTheLastGoodConfigurationAndLogsConfigurationRejected()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");

        services.Set("refresh", "Mode", "Sideways");
        _ = Record.Exception(services.Configuration.Reload);

        Assert.Equal(SelectionMode.Failover, cluster.Mode);
        FakeLogRecord rejected = Assert.Single(services.Log.WithEvent("ConfigurationRejected"));
        Assert.Equal("refresh", rejected.GetStructuredStateValue("ClusterName"));
    }

    [Fact]
    public void Reload_AfterAnUnparsableValue_NextValidChangeApplies()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        services.Set("refresh", "Mode", "Sideways");
        _ = Record.Exception(services.Configuration.Reload);

        services.Set("refresh", "Mode", "RoundRobin");
        Exception? thrown = Record.Exception(services.Configuration.Reload);

        Assert.Null(thrown);
        Assert.Equal(SelectionMode.RoundRobin, cluster.Mode);
    }

    [Fact]
    public void Reload_PostConfigureOfAddCluster_IsAppliedAgain()
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddInMemoryCollection(Refresh()).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddClusterRouting().AddCluster("refresh", configuration.GetSection("ClusterRouting:refresh"), o => o.ConcurrentOperationLimitPreview = 7);
        using ServiceProvider provider = services.BuildServiceProvider();
        var cluster = (ClusterSelector)provider.GetRequiredKeyedService<IClusterAdministration>("refresh");

        configuration["ClusterRouting:refresh:ConcurrentOperationLimitPreview"] = "2";
        configuration["ClusterRouting:refresh:Mode"] = "RoundRobin";
        configuration.Reload();

        Assert.Equal(SelectionMode.RoundRobin, cluster.Mode);
        Assert.Equal([7, 7, 7], cluster.GetStatus().Members.Select(m => m.ConcurrencyLimit));
    }

    [Fact]
    public void Reload_AfterTheServiceProviderIsDisposed_LeavesTheClusterAsItWas()
    {
        RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        services.Services.Dispose();

        services.Set("refresh", "Mode", "RoundRobin");
        Exception? thrown = Record.Exception(services.Configuration.Reload);

        Assert.Null(thrown);
        Assert.Equal(SelectionMode.Failover, cluster.Mode);
        services.Dispose();
    }

    [Fact]
    public async Task GetCluster_FromManyThreadsAtOnce_CreatesOneInstanceAndOneSubscription()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        using var start = new ManualResetEventSlim();
        Task<IClusterSelector>[] tasks = Enumerable.Range(0, 8)
            .Select(_ => Task.Run(() =>
            {
                start.Wait(TimeSpan.FromSeconds(10));
                return services.Provider.GetCluster("refresh");
            }))
            .ToArray();

        start.Set();
        IClusterSelector[] clusters = await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(clusters, c => Assert.Same(clusters[0], c));
        services.Set("refresh", "Members:1:Id", "GW-0");
        _ = Record.Exception(services.Configuration.Reload);
        Assert.Single(services.Log.WithEvent("ConfigurationRejected"));
    }

    [Fact]
    public void GetCluster_AfterAnInvalidConfigurationIsFixed_CreatesTheCluster()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster("refresh", ("Members:0:Id", "gw-0"), ("Members:1:Id", "GW-0")));
        Assert.Throws<OptionsValidationException>(() => services.Provider.GetCluster("refresh"));

        services.Set("refresh", "Members:1:Id", "gw-1");
        services.Configuration.Reload();
        Assert.Equal(2, services.Services.GetRequiredService<IOptionsMonitor<ClusterOptions>>().Get("refresh").Members.Count);

        ClusterSelector cluster = services.Cluster("refresh");
        Assert.Equal(["gw-0", "gw-1"], cluster.GetStatus().Members.Select(m => m.Id));
    }

    [Fact]
    public void Reload_LoggerThrows_InvalidChangeIsStillRejected_AndNothingThrowsIntoTheReloader()
    {
        // Found by the soak: the registry logged a rejected reload (and a section it ignores) straight to the
        // application's logger, so a logger that threw made IConfigurationRoot.Reload() throw.
        var throwing = new ThrowingLoggerProvider();
        using RoutingServices services = RoutingServices.Create(Refresh(), configureServices: s => s.AddLogging(b => b.AddProvider(throwing)));
        ClusterSelector cluster = services.Cluster("refresh");
        throwing.Throws = true;

        services.Set("refresh", "CPUUtilizationPercentageThreshold", "150");
        services.Set("refreshh", "Members:0:Id", "gw-9"); // a section for a cluster that is not registered
        Exception? thrown = Record.Exception(services.Configuration.Reload);

        Assert.Null(thrown);
        Assert.Equal(90, cluster.State.CurrentOptions().CPUUtilizationPercentageThreshold);
        Assert.True(throwing.Calls > 0);
        Assert.True(cluster.State.Failures.CountOf(CallbackKind.Logger) > 0, "the logger's failure was not counted");

        throwing.Throws = false;
        services.Set("refresh", "CPUUtilizationPercentageThreshold", "70");
        services.Configuration.Reload();
        Assert.Equal(70, cluster.State.CurrentOptions().CPUUtilizationPercentageThreshold);
    }

    [Fact]
    public void RemoveCluster_LoggerThrows_RemovesTheCluster_AndReturnsTrue()
    {
        var throwing = new ThrowingLoggerProvider();
        using RoutingServices services = RoutingServices.Create(Refresh(), configureServices: s => s.AddLogging(b => b.AddProvider(throwing)));
        ClusterSelector cluster = services.Cluster("refresh");
        throwing.Throws = true;

        bool removed = services.Provider.RemoveCluster("refresh");

        Assert.True(removed);
        Assert.Throws<ObjectDisposedException>(() => cluster.GetStatus());
        Assert.DoesNotContain("refresh", services.Provider.ClusterNames);
    }

    [Fact]
    public void RemoveCluster_NeverResolved_IsRemoved_AndReturnsTrue()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());

        bool removed = services.Provider.RemoveCluster("refresh");

        Assert.True(removed);
        Assert.DoesNotContain("refresh", services.Provider.ClusterNames);
        Assert.Throws<ArgumentException>(() => services.Provider.GetCluster("refresh"));
    }

    [Fact]
    public void RemoveCluster_NullName_ThrowsNamingTheArgument()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());

        var error = Assert.Throws<ArgumentNullException>(() => services.Provider.RemoveCluster(null!));

        Assert.Equal("clusterName", error.ParamName);
    }

    [Fact]
    public void Reload_AfterTheClusterIsRemoved_IsIgnored_AndLogsNothing()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        _ = services.Cluster("refresh");
        Assert.True(services.Provider.RemoveCluster("refresh"));

        services.Set("refresh", "CPUUtilizationPercentageThreshold", "150");
        Exception? thrown = Record.Exception(services.Configuration.Reload);

        Assert.Null(thrown);
        Assert.Empty(services.Log.WithEvent("ConfigurationRejected"));
    }

    [Fact]
    public void Reload_AfterTheServiceProviderIsDisposed_LogsNothing()
    {
        RoutingServices services = RoutingServices.Create(Refresh());
        _ = services.Cluster("refresh");
        services.Services.Dispose();

        services.Set("refresh", "CPUUtilizationPercentageThreshold", "150");
        services.Set("refreshh", "Members:0:Id", "gw-9"); // a section for a cluster that is not registered
        Exception? thrown = Record.Exception(services.Configuration.Reload);

        Assert.Null(thrown);
        Assert.Empty(services.Log.WithEvent("ConfigurationRejected"));
        Assert.Empty(services.Log.WithEvent("ClusterConfigurationIgnored"));
        services.Dispose();
    }

    [Fact]
    public void GetCluster_ThroughAProviderHeldPastTheContainersDisposal_TheClusterDoesNotFollowReloads()
    {
        RoutingServices services = RoutingServices.Create(Refresh());
        IClusterSelectorProvider provider = services.Provider;
        services.Services.Dispose();
        using var cluster = (ClusterSelector)provider.GetCluster("refresh");

        services.Set("refresh", "Mode", "RoundRobin");
        services.Configuration.Reload();

        Assert.Equal(SelectionMode.Failover, cluster.Mode);
        services.Dispose();
    }

    [Fact]
    public void Reload_ClusterConfiguredWithoutMembers_AppliesItsSettings_AndKeepsTheMembersAddedAtRuntime()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster("dynamic", ("Mode", "Failover")));
        ClusterSelector cluster = services.Cluster("dynamic");
        cluster.AddMember("gw-9");

        services.Set("dynamic", "Mode", "RoundRobin");
        services.Configuration.Reload();

        Assert.Equal(SelectionMode.RoundRobin, cluster.Mode);
        Assert.Equal(["gw-9"], cluster.GetStatus().Members.Select(m => m.Id));
        Assert.Empty(services.Log.WithEvent("ConfigurationRejected"));
    }

    [Fact]
    public void Reload_MemberRemovedWithALeaseOut_AndAddedBackByTheNext_StillCountsTheLease()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        MemberLease lease = cluster.Select();
        Assert.Equal("gw-0", lease.MemberId);

        services.Set("refresh", "Members:0:Id", "gw-3");
        services.Configuration.Reload();
        services.Set("refresh", "Members:0:Id", "gw-0");
        services.Configuration.Reload();

        Assert.Equal(["gw-0", "gw-1", "gw-2"], cluster.GetStatus().Members.Select(m => m.Id));
        Assert.Equal(1, cluster.GetStatus().Members[0].InFlight);
        lease.Dispose();
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
    }

    /// <summary>Loggers that throw from every call while <see cref="Throws"/> is set, as a failing provider does.</summary>
    private sealed class ThrowingLoggerProvider : ILoggerProvider
    {
        private int _throws;
        private int _calls;

        public bool Throws
        {
            get => Volatile.Read(ref _throws) != 0;
            set => Volatile.Write(ref _throws, value ? 1 : 0);
        }

        public int Calls => Volatile.Read(ref _calls);

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(ThrowingLoggerProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => provider.Throws ? throw provider.Fail() : false;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (provider.Throws)
                {
                    throw provider.Fail();
                }
            }
        }

        private InvalidOperationException Fail()
        {
            Interlocked.Increment(ref _calls);
            return new InvalidOperationException("The logger failed.");
        }
    }
}
