using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Admin.Tests;

/// <summary>An operator's changes through the API reach the engine, move the routing, and are logged with the operator's name.</summary>
public sealed class ChangeTests
{
    [Fact]
    public async Task SetEnabled_False_DisablesTheMemberAndMovesFailoverToTheNext()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);
        IClusterSelector sales = host.Clusters.GetCluster("sales");
        Assert.Equal("gw-1", SelectOnce(sales));

        using HttpResponseMessage response = await client.PutJsonAsync("/cluster-routing/api/clusters/sales/members/gw-1/enabled", "{\"enabled\": false}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument member = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("gw-1", member.RootElement.GetProperty("id").GetString());
        Assert.False(member.RootElement.GetProperty("enabled").GetBoolean());
        Assert.False(sales.GetStatus().Members[0].Enabled);
        Assert.Equal("gw-2", SelectOnce(sales));

        using HttpResponseMessage again = await client.PutJsonAsync("/cluster-routing/api/clusters/sales/members/gw-1/enabled", "{\"enabled\": true}");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal("gw-1", SelectOnce(sales));

        FakeLogRecord[] audit = host.Log.GetSnapshot().Where(r => r.Id.Name == "ConsoleMemberEnabledChanged").ToArray();
        Assert.Equal(2, audit.Length);
        Assert.Equal("Operator olivia disabled member gw-1 of cluster sales through the console", audit[0].Message);
        Assert.Equal(LogLevel.Information, audit[0].Level);
        Assert.Equal("Operator olivia enabled member gw-1 of cluster sales through the console", audit[1].Message);
    }

    [Fact]
    public async Task SetMode_LeastLoaded_IsAModeTheConsoleKnows()
    {
        // Regression: the console's mode names stopped at RoundRobin when the engine gained LeastLoaded.
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);

        using HttpResponseMessage response = await client.PutJsonAsync("/cluster-routing/api/clusters/sales/mode", "{\"mode\": \"LeastLoaded\"}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument cluster = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("LeastLoaded", cluster.RootElement.GetProperty("mode").GetString());
        Assert.Equal(SelectionMode.LeastLoaded, host.Clusters.GetCluster("sales").Mode);
    }

    [Fact]
    public async Task SetMode_RoundRobin_SpreadsTheSelections()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);
        IClusterSelector sales = host.Clusters.GetCluster("sales");

        using HttpResponseMessage response = await client.PutJsonAsync("/cluster-routing/api/clusters/sales/mode", "{\"mode\": \"roundrobin\"}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using JsonDocument cluster = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("RoundRobin", cluster.RootElement.GetProperty("mode").GetString());
        Assert.Equal(SelectionMode.RoundRobin, sales.Mode);
        var chosen = new HashSet<string>();
        for (int i = 0; i < 6; i++)
        {
            chosen.Add(SelectOnce(sales));
        }

        Assert.Equal(3, chosen.Count);
        Assert.Contains(host.Log.GetSnapshot(), r => r.Message == "Operator olivia set the mode of cluster sales to RoundRobin through the console");
    }

    [Fact]
    public async Task RemoveMember_RemovesIt_ThenIs404()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);

        using HttpResponseMessage response = await client.DeleteAsync("/cluster-routing/api/clusters/sales/members/GW-2");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(["gw-1", "gw-3"], host.Clusters.GetCluster("sales").GetStatus().Members.Select(m => m.Id));
        using HttpResponseMessage again = await client.DeleteAsync("/cluster-routing/api/clusters/sales/members/gw-2");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains(host.Log.GetSnapshot(), r => r.Message == "Operator olivia removed member GW-2 from cluster sales through the console");
    }

    [Fact]
    public async Task RemoveCluster_RemovesIt_FromTheEngineAndTheList_ThenIs404()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);
        IClusterSelector refresh = host.Clusters.GetCluster("refresh");

        using HttpResponseMessage response = await client.DeleteAsync("/cluster-routing/api/clusters/refresh");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.DoesNotContain("refresh", host.Clusters.ClusterNames);
        Assert.Throws<ObjectDisposedException>(() => refresh.GetStatus());
        JsonElement list = await client.GetJsonAsync("/cluster-routing/api/clusters");
        Assert.Equal(["sales"], list.GetProperty("clusters").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        using HttpResponseMessage get = await client.GetAsync(new Uri("/cluster-routing/api/clusters/refresh", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using HttpResponseMessage again = await client.DeleteAsync("/cluster-routing/api/clusters/refresh");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains(host.Log.GetSnapshot(), r => r.Message == "Operator olivia removed cluster refresh through the console");
    }

    [Fact]
    public async Task Changes_FromManyOperatorsAtOnce_EachLand()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Forty concurrent flips of three members, then each enabled: every request lands, none fails or is lost.
        Task[] flips = Enumerable.Range(0, 40).Select(async i =>
        {
            string member = "gw-" + ((i % 3) + 1);
            using HttpResponseMessage response = await client.PutJsonAsync($"/cluster-routing/api/clusters/sales/members/{member}/enabled", i < 37 ? "{\"enabled\": false}" : "{\"enabled\": true}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }).ToArray();
        await Task.WhenAll(flips).WaitAsync(timeout.Token);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(async i =>
        {
            using HttpResponseMessage response = await client.PutJsonAsync($"/cluster-routing/api/clusters/sales/members/gw-{i + 1}/enabled", "{\"enabled\": true}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        })).WaitAsync(timeout.Token);

        Assert.All(host.Clusters.GetCluster("sales").GetStatus().Members, m => Assert.True(m.Enabled));
    }

    private static string SelectOnce(IClusterSelector cluster)
    {
        using MemberLease lease = cluster.Select();
        return lease.MemberId;
    }
}
