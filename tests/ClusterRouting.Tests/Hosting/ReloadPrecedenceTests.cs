using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Tests.Hosting;

/// <summary>
/// What a configuration reload does to a running cluster that an operator changed at runtime: configuration wins only
/// for a member or setting whose configured value changed; a reload never empties a running cluster; what it changes is
/// logged like a runtime change; a member removed and added back keeps what is in flight on it. Regression: any reload
/// silently undid every runtime change, and an emptied section silently emptied the cluster.
/// </summary>
public class ReloadPrecedenceTests
{
    private static IEnumerable<KeyValuePair<string, string?>> Refresh() => Settings.Cluster(
        "refresh",
        ("Mode", "Failover"),
        ("CPUUtilizationPercentageThreshold", "90"),
        ("Members:0:Id", "gw-0"),
        ("Members:1:Id", "gw-1"),
        ("Members:2:Id", "gw-2"));

    [Fact]
    public void RuntimeDisable_UnrelatedReload_StaysDisabled()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        cluster.SetMemberEnabled("gw-0", false);

        services.Set("refresh", "CPUUtilizationPercentageThreshold", "50");
        services.Configuration.Reload();

        Assert.False(cluster.GetStatus().Members[0].Enabled);
        Assert.Equal("gw-1", cluster.SelectOnce());
        cluster.ReportUtilization("gw-1", 60, 0);
        Assert.Equal(MemberRejectionReason.CpuLimit, cluster.GetStatus().Members[1].Throttle); // the new threshold applied
    }

    [Fact]
    public void RuntimeDisable_ConfigurationChangesThatMembersEnabled_ConfigurationWinsForIt()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        cluster.SetMemberEnabled("gw-0", false);
        cluster.SetMemberEnabled("gw-2", false);

        services.Set("refresh", "Members:0:Enabled", "true"); // was not set (true): not a change
        services.Set("refresh", "Members:2:Enabled", "false"); // was true: a change, to what the admin did anyway
        services.Set("refresh", "Members:1:Enabled", "false"); // was true: a change
        services.Configuration.Reload();

        Assert.Equal([false, false, false], cluster.GetStatus().Members.Select(m => m.Enabled));

        services.Set("refresh", "Members:0:Enabled", "false");
        services.Configuration.Reload();
        services.Set("refresh", "Members:0:Enabled", "true"); // now a change back: configuration wins
        services.Configuration.Reload();

        Assert.Equal([true, false, false], cluster.GetStatus().Members.Select(m => m.Enabled));
    }

    [Fact]
    public void RuntimeAddedMember_Reload_Stays_AfterTheConfiguredMembers()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        cluster.AddMember("gw-9", "9.0");

        services.Set("refresh", "Members:3:Id", "gw-3");
        services.Configuration.Reload();

        Assert.Equal(["gw-0", "gw-1", "gw-2", "gw-3", "gw-9"], cluster.GetStatus().Members.Select(m => m.Id));
        Assert.Equal("9.0", cluster.GetStatus().Members[4].Version);
    }

    [Fact]
    public void RuntimeRemovedMember_StaysRemoved_UntilItsConfiguredEntryChanges()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        Assert.True(cluster.RemoveMember("gw-1"));

        services.Set("refresh", "Mode", "RoundRobin");
        services.Configuration.Reload();
        Assert.Equal(["gw-0", "gw-2"], cluster.GetStatus().Members.Select(m => m.Id));

        services.Set("refresh", "Members:1:Version", "2.0"); // its entry changed: configuration brings it back
        services.Configuration.Reload();
        Assert.Equal(["gw-0", "gw-1", "gw-2"], cluster.GetStatus().Members.Select(m => m.Id));
        Assert.Equal("2.0", cluster.GetStatus().Members[1].Version);
    }

    [Fact]
    public void RuntimeMode_UnrelatedReloadKeepsIt_AConfiguredModeChangeWins()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        cluster.Mode = SelectionMode.Random;

        services.Set("refresh", "Members:3:Id", "gw-3");
        services.Configuration.Reload();
        Assert.Equal(SelectionMode.Random, cluster.Mode);

        services.Set("refresh", "Mode", "RoundRobin");
        services.Configuration.Reload();
        Assert.Equal(SelectionMode.RoundRobin, cluster.Mode);
    }

    [Fact]
    public void RuntimeReconfigure_ThresholdsSurviveAReloadThatDoesNotChangeThem()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        cluster.Reconfigure(new ClusterOptions { Members = { new("gw-0"), new("gw-1"), new("gw-2") }, CPUUtilizationPercentageThreshold = 40 });

        services.Set("refresh", "MemoryUtilizationPercentageThreshold", "80");
        services.Configuration.Reload();

        cluster.ReportUtilization("gw-0", 45, 85);
        MemberStatus gw0 = cluster.GetStatus().Members[0];
        Assert.Equal(MemberRejectionReason.CpuLimit, gw0.Throttle); // the runtime 40, not the configured 90
        cluster.ReportUtilization("gw-1", 10, 85);
        Assert.Equal(MemberRejectionReason.MemoryLimit, cluster.GetStatus().Members[1].Throttle); // the changed setting applied
    }

    [Fact]
    public void Reload_ValidAloneButNotWithARuntimeSetting_IsRejectedAndLogged_AndTheRuntimeSettingKeepsServing()
    {
        // At runtime the first penalty became 30 s; configuration (5 s, unchanged) then lowers the longest penalty to 10 s.
        // Valid alone, but merged with the runtime 30 s the longest penalty would be shorter than the first.
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        cluster.Reconfigure(new ClusterOptions { Members = { new("gw-0"), new("gw-1"), new("gw-2") }, OfflinePenaltyBaseDuration = TimeSpan.FromSeconds(30) });

        services.Set("refresh", "OfflinePenaltyMaxDuration", "00:00:10");
        Exception? thrown = Record.Exception(services.Configuration.Reload);

        Assert.Null(thrown);
        FakeLogRecord rejected = Assert.Single(services.Log.WithEvent("ConfigurationRejected"));
        Assert.Equal(LogLevel.Error, rejected.Level);
        Assert.Equal("refresh", rejected.GetStructuredStateValue("ClusterName"));
        // The whole reason, and nothing about the options argument the runtime's message would name.
        Assert.Equal(
            "Cluster 'refresh': OfflinePenaltyMaxDuration must be at least OfflinePenaltyBaseDuration (was 00:00:10, base 00:00:30).",
            rejected.GetStructuredStateValue("Errors"));
        ClusterOptions now = cluster.State.CurrentOptions();
        Assert.Equal(TimeSpan.FromSeconds(30), now.OfflinePenaltyBaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(60), now.OfflinePenaltyMaxDuration);
    }

    [Fact]
    public void Reload_MembershipModeAndEnabledChanges_AreLoggedLikeRuntimeChanges()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        Assert.Empty(services.Log.WithEvent("MemberAdded")); // creating the cluster adds nothing

        services.Set("refresh", "Members:2:Id", "gw-3");
        services.Set("refresh", "Members:1:Enabled", "false");
        services.Set("refresh", "Mode", "Random");
        services.Configuration.Reload();

        Assert.Equal("gw-2", Assert.Single(services.Log.WithEvent("MemberRemoved")).GetStructuredStateValue("MemberId"));
        FakeLogRecord added = Assert.Single(services.Log.WithEvent("MemberAdded"));
        Assert.Equal(("gw-3", "2"), (added.GetStructuredStateValue("MemberId"), added.GetStructuredStateValue("MemberIndex")));
        Assert.Equal("disabled", Assert.Single(services.Log.WithEvent("MemberEnabledChanged")).GetStructuredStateValue("Change"));
        Assert.Equal("Random", Assert.Single(services.Log.WithEvent("ModeChanged")).GetStructuredStateValue("Mode"));
        Assert.Equal(SelectionMode.Random, cluster.Mode);
    }

    [Fact]
    public void Reload_MemberRemovedAndAddedBackWhileALeaseIsOut_ItsLeaseStillCountsAgainstItsLimit()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster(
            "refresh", ("ConcurrentOperationLimitPreview", "1"), ("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1")));
        ClusterSelector cluster = services.Cluster("refresh");
        MemberLease held = cluster.Select();
        Assert.Equal("gw-0", held.MemberId);

        services.Set("refresh", "Members:0:Id", "gw-1");
        services.Set("refresh", "Members:1:Id", null);
        services.Configuration.Reload(); // gw-0 removed, lease still out
        services.Set("refresh", "Members:0:Id", "gw-0");
        services.Set("refresh", "Members:1:Id", "gw-1");
        services.Configuration.Reload(); // gw-0 back

        Assert.Equal(1, cluster.GetStatus().Members[0].InFlight);
        Assert.Equal("gw-1", cluster.SelectOnce()); // gw-0 is at its limit of 1
        held.Dispose();
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public async Task AddThrottlePolicy_ForAnUnregisteredCluster_FailsAtStart_NamingTheName()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(Settings.Cluster("refresh", Settings.Members(2)));
        builder.Services.AddClusterRouting(builder.Configuration.GetSection(RoutingServices.Section))
            .AddThrottlePolicy<NeverThrottles>("refersh");
        using IHost host = builder.Build();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("AddThrottlePolicy<NeverThrottles>(\"refersh\")", ex.Message, StringComparison.Ordinal);
        Assert.Contains("registered: refresh", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClusterAddedToTheConfigurationAfterStart_IsIgnored_WithOneWarning()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        services.Cluster("refresh");

        services.Configuration[$"{RoutingServices.Section}:late:Members:0:Id"] = "late-0";
        services.Configuration.Reload();
        services.Configuration.Reload();

        FakeLogRecord ignored = Assert.Single(services.Log.WithEvent("ClusterConfigurationIgnored"));
        Assert.Equal(LogLevel.Warning, ignored.Level);
        Assert.Equal("late", ignored.GetStructuredStateValue("ClusterName"));
        Assert.Equal(["refresh"], services.Provider.ClusterNames);
        Assert.Throws<ArgumentException>(() => services.Provider.GetCluster("late"));
    }

    [Fact]
    public void RemoveCluster_DisposesIt_ForgetsIt_AndAReloadDoesNotBringItBack()
    {
        using RoutingServices services = RoutingServices.Create(Refresh());
        ClusterSelector cluster = services.Cluster("refresh");
        Assert.True(cluster.TrySelect(out MemberLease lease));

        Assert.True(services.Provider.RemoveCluster("refresh"));
        Assert.False(services.Provider.RemoveCluster("refresh"));

        Assert.Empty(services.Provider.ClusterNames);
        Assert.Throws<ObjectDisposedException>(() => cluster.TrySelect(out _));
        lease.Dispose(); // a lease taken before still ends
        Assert.Throws<ArgumentException>(() => services.Provider.GetCluster("refresh"));
        services.Set("refresh", "Mode", "Random");
        services.Configuration.Reload();
        Assert.Throws<ArgumentException>(() => services.Provider.GetAdministration("refresh"));
        Assert.Single(services.Log.WithEvent("ClusterRemoved"));
        Assert.Empty(services.Log.WithEvent("ConfigurationRejected"));
    }

    private sealed class NeverThrottles : ThrottlePolicy
    {
        public override string Name => "never";

        public override ThrottleDecision Evaluate(in MemberLoad load) => ThrottleDecision.Admit;
    }
}
