using System.Net;

namespace ClusterRouting.Admin.Tests;

/// <summary>
/// Changes made through the console follow the engine's documented rule for reloads: an unrelated reload keeps them,
/// and configuration wins only for a member or setting whose configured value changed.
/// </summary>
public sealed class ReloadTests
{
    [Fact]
    public async Task ConsoleChanges_SurviveAnUnrelatedReload_AndYieldToAChangedConfiguredValue()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);
        IClusterSelector sales = host.Clusters.GetCluster("sales");
        (await client.PutJsonAsync("/cluster-routing/api/clusters/sales/members/gw-1/enabled", "{\"enabled\": false}")).EnsureSuccessStatusCode();
        (await client.PutJsonAsync("/cluster-routing/api/clusters/sales/mode", "{\"mode\": \"RoundRobin\"}")).EnsureSuccessStatusCode();

        host.Reload(new() { ["ClusterRouting:sales:CPUUtilizationPercentageThreshold"] = "70" });

        ClusterStatus status = sales.GetStatus();
        Assert.False(status.Members[0].Enabled);
        Assert.Equal(SelectionMode.RoundRobin, status.Mode);

        // The configured mode changes (Failover to Random): configuration wins for the mode, and only for it.
        host.Reload(new() { ["ClusterRouting:sales:Mode"] = "Random" });

        status = sales.GetStatus();
        Assert.Equal(SelectionMode.Random, status.Mode);
        Assert.False(status.Members[0].Enabled);
        JsonAssert(await client.GetJsonAsync("/cluster-routing/api/clusters/sales"), "Random", enabled: false);
    }

    [Fact]
    public async Task RemovedMember_StaysRemoved_AfterAnUnrelatedReload()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);
        using HttpResponseMessage removed = await client.DeleteAsync("/cluster-routing/api/clusters/sales/members/gw-3");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);

        host.Reload(new() { ["ClusterRouting:sales:ConcurrentOperationLimitPreview"] = "7" });

        Assert.Equal(["gw-1", "gw-2"], host.Clusters.GetCluster("sales").GetStatus().Members.Select(m => m.Id));
    }

    private static void JsonAssert(System.Text.Json.JsonElement cluster, string mode, bool enabled)
    {
        Assert.Equal(mode, cluster.GetProperty("mode").GetString());
        Assert.Equal(enabled, cluster.Member("gw-1").GetProperty("enabled").GetBoolean());
    }
}
