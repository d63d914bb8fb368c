using System.Text.Json;
using ClusterRouting.Admin.Tests;

namespace ClusterRouting.Tool.Tests;

/// <summary>Each command of the tool against a real router on loopback: what it prints, what it changes in the engine, and its exit code.</summary>
public sealed class CommandTests
{
    [Fact]
    public async Task Clusters_ListsEachClusterWithItsCounts()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        host.Clusters.GetAdministration("sales").SetMemberEnabled("gw-3", false);

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Reader, "clusters"));

        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("CLUSTER  MODE        MEMBERS  ENABLED  ONLINE  WARNINGS", lines[0]);
        Assert.Equal("refresh  RoundRobin        2        2       2  version skew", lines[1]);
        Assert.Equal("sales    Failover          3        2       3  -", lines[2]);
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task Clusters_NoneRegistered_SaysSoInsteadOfAnEmptyTable()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        Assert.True(host.Clusters.RemoveCluster("refresh"));
        Assert.True(host.Clusters.RemoveCluster("sales"));

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Reader, "clusters"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("No cluster is registered.", run.Output.Trim());
    }

    [Fact]
    public async Task Clusters_OverTheMemberLimit_ShowsTheWarningBesideTheVersionSkew()
    {
        // Configuration may name more members than the limit (the cluster warns); adding one at runtime may not.
        Dictionary<string, string?> clusters = AdminTestHost.DefaultClusters();
        for (int i = 2; i < 11; i++)
        {
            clusters[$"ClusterRouting:refresh:Members:{i}:Id"] = $"rf-{i + 1}";
            clusters[$"ClusterRouting:refresh:Members:{i}:Version"] = "3000.250.5";
        }

        await using AdminTestHost host = await AdminTestHost.StartAsync(clusters);

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Reader, "clusters"));

        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^refresh\s+RoundRobin\s+11\s+11\s+11\s+version skew, over the member limit$", lines[1]);
        Assert.Matches(@"^sales\s+Failover\s+3\s+3\s+3\s+-$", lines[2]);
    }

    [Fact]
    public async Task Clusters_Json_PrintsTheApisAnswer()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Reader, "clusters", "--json"));

        Assert.Equal(0, run.ExitCode);
        using JsonDocument json = JsonDocument.Parse(run.Output);
        Assert.Equal(["refresh", "sales"], json.RootElement.GetProperty("clusters").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Members_PrintsATableOfTheMembersState()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        IClusterSelector sales = host.Clusters.GetCluster("sales");
        using MemberLease lease = sales.Select();
        sales.ReportOffline("gw-2");
        sales.ReportUtilization("gw-3", 91.5, 40);
        host.Clusters.GetAdministration("sales").SetMemberEnabled("gw-3", false);

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Reader, "members", "sales"));

        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Cluster 'sales': Failover, 3 members", lines[0]);
        Assert.StartsWith("MEMBER  ROLE     STATE     HEALTH", lines[1], StringComparison.Ordinal);
        Assert.Matches(@"^gw-1\s+primary\s+enabled\s+online\s+-\s+1/5\s+-\s+-\s+3000\.250\.5\s+1\s+0\s+0\s+0$", lines[2]);
        Assert.Matches(@"^gw-2\s+#1\s+enabled\s+penalized \d+s\s+-\s+0/5\s+-\s+-\s+3000\.250\.5\s+0\s+0\s+0\s+1$", lines[3]);
        Assert.Matches(@"^gw-3\s+#2\s+disabled\s+online\s+CpuLimit, retry \d+s\s+0/5\s+91\.5%\s+40\.0%\s+3000\.250\.5\s+0\s+0\s+0\s+0$", lines[4]);
    }

    [Fact]
    public async Task Members_OfAClusterWithMixedVersions_PrintsTheWarning()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Reader, "members", "refresh"));

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("warning: The members run different versions (3000.250.5, 3000.260.3)", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisableThenEnable_ChangeTheMemberInTheEngine()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        IClusterSelector sales = host.Clusters.GetCluster("sales");

        ToolRun disable = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, "disable", "sales", "gw-1"));

        Assert.True(disable.ExitCode == 0, disable.ToString());
        Assert.StartsWith("gw-1 of cluster 'sales' is disabled: gw-1 (primary, disabled, online", disable.Output, StringComparison.Ordinal);
        Assert.False(sales.GetStatus().Members[0].Enabled);
        using (MemberLease lease = sales.Select())
        {
            Assert.Equal("gw-2", lease.MemberId);
        }

        ToolRun enable = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, "enable", "sales", "gw-1", "--json"));

        Assert.Equal(0, enable.ExitCode);
        using JsonDocument json = JsonDocument.Parse(enable.Output);
        Assert.True(json.RootElement.GetProperty("enabled").GetBoolean());
        Assert.True(sales.GetStatus().Members[0].Enabled);
    }

    [Fact]
    public async Task Enable_PrintsTheMemberEnabled()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        host.Clusters.GetAdministration("sales").SetMemberEnabled("gw-2", false);

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, "enable", "sales", "gw-2"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("gw-2 of cluster 'sales' is enabled: gw-2 (", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mode_LeastLoaded_IsAccepted()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, "mode", "sales", "LeastLoaded"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("Cluster 'sales' now routes in LeastLoaded mode.", run.Output.Trim());
        Assert.Equal(SelectionMode.LeastLoaded, host.Clusters.GetCluster("sales").Mode);
    }

    [Fact]
    public async Task Mode_SetsTheClustersMode()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, "mode", "sales", "RoundRobin"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("Cluster 'sales' now routes in RoundRobin mode.", run.Output.Trim());
        Assert.Equal(SelectionMode.RoundRobin, host.Clusters.GetCluster("sales").Mode);
    }

    [Fact]
    public async Task RemoveMember_RemovesIt_AndASecondTimeIsNotFound()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, "remove-member", "sales", "gw-2"));
        ToolRun again = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, "remove-member", "sales", "gw-2", "--json"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("Removed gw-2 from cluster 'sales'.", run.Output.Trim());
        Assert.Equal(["gw-1", "gw-3"], host.Clusters.GetCluster("sales").GetStatus().Members.Select(m => m.Id));
        Assert.Equal(ExitCodes.NotFound, again.ExitCode);
        using JsonDocument problem = JsonDocument.Parse(again.Error);
        Assert.Equal("urn:cluster-routing:unknown-member", problem.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task RemoveCluster_RemovesIt_AndASecondTimeIsNotFound()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, "remove-cluster", "sales"));
        ToolRun again = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, "remove-cluster", "sales", "--json"));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("Removed cluster 'sales'.", run.Output.Trim());
        Assert.DoesNotContain("sales", host.Clusters.ClusterNames);
        Assert.Equal(ExitCodes.NotFound, again.ExitCode);
    }

    [Fact]
    public async Task RemoveMemberAndRemoveCluster_Json_PrintWhatWasRemoved()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();

        ToolRun member = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, "remove-member", "sales", "gw-2", "--json"));
        ToolRun cluster = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, "remove-cluster", "refresh", "--json"));

        Assert.True(member.ExitCode == 0, member.ToString());
        Assert.Equal("""{"cluster":"sales","member":"gw-2","removed":true}""", member.Output.Trim());
        Assert.Equal(["gw-1", "gw-3"], host.Clusters.GetCluster("sales").GetStatus().Members.Select(m => m.Id));
        Assert.True(cluster.ExitCode == 0, cluster.ToString());
        Assert.Equal("""{"cluster":"refresh","removed":true}""", cluster.Output.Trim());
        Assert.DoesNotContain("refresh", host.Clusters.ClusterNames);
    }

    [Fact]
    public async Task Token_FromTheEnvironment_IsUsed()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        string url = new Uri(host.BaseAddress, AdminTestHost.Prefix).ToString();

        ToolRun run = await ToolRun.RunAsync(
            name => name switch { "CLUSTER_ROUTING_URL" => url, "CLUSTER_ROUTING_TOKEN" => TestUsers.Operator.Token, _ => null },
            "disable", "sales", "gw-3");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.False(host.Clusters.GetCluster("sales").GetStatus().Members[2].Enabled);
    }

    [Fact]
    public async Task Header_CarriesTheCredentialsOfAnotherScheme()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, null, "disable", "sales", "gw-3", "--header", "Authorization: Bearer " + TestUsers.Operator.Token));

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.False(host.Clusters.GetCluster("sales").GetStatus().Members[2].Enabled);
    }
}
