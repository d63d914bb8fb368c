using System.Net;
using System.Text.Json;

namespace ClusterRouting.Admin.Tests;

/// <summary>What the console reads from the engine: the list, each member's state as the engine reports it, and the warnings.</summary>
public sealed class ReadTests
{
    [Fact]
    public async Task Cluster_ShowsEachMembersState_AsTheEngineReportsIt()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);
        IClusterSelector sales = host.Clusters.GetCluster("sales");
        using MemberLease first = sales.Select();
        using MemberLease second = sales.Select();
        sales.ReportOffline("gw-2");
        sales.ReportUtilization("gw-3", cpuPercent: 95, memoryPercent: 40);

        JsonElement cluster = await client.GetJsonAsync("/cluster-routing/api/clusters/sales");

        ClusterStatus status = sales.GetStatus();
        Assert.Equal("sales", cluster.GetProperty("name").GetString());
        Assert.Equal("Failover", cluster.GetProperty("mode").GetString());
        Assert.Equal(10, cluster.GetProperty("memberLimit").GetInt32());
        Assert.False(cluster.GetProperty("hasVersionSkew").GetBoolean());
        Assert.Empty(cluster.GetProperty("warnings").EnumerateArray());

        JsonElement gw1 = cluster.Member("gw-1");
        Assert.True(gw1.GetProperty("isPrimary").GetBoolean());
        Assert.True(gw1.GetProperty("enabled").GetBoolean());
        Assert.Equal("Online", gw1.GetProperty("health").GetString());
        Assert.Equal(2, gw1.GetProperty("inFlight").GetInt32());
        Assert.Equal(5, gw1.GetProperty("concurrencyLimit").GetInt32());
        Assert.Equal("3000.250.5", gw1.GetProperty("version").GetString());
        Assert.Equal(JsonValueKind.Null, gw1.GetProperty("throttle").ValueKind);
        Assert.Equal(status.Members[0].ToString(), gw1.GetProperty("description").GetString());

        JsonElement gw2 = cluster.Member("gw-2");
        Assert.Equal("Penalized", gw2.GetProperty("health").GetString());
        Assert.Equal(1, gw2.GetProperty("consecutiveOfflineResults").GetInt32());
        // Each status converts the cluster's monotonic deadline to wall-clock time anew: equal to within a tick or so.
        Assert.Equal(status.Members[1].PenalizedUntil!.Value, gw2.GetProperty("penalizedUntil").GetDateTimeOffset(), TimeSpan.FromMilliseconds(1));

        JsonElement gw3 = cluster.Member("gw-3");
        Assert.Equal("CpuLimit", gw3.GetProperty("throttle").GetString());
        Assert.Equal(95, gw3.GetProperty("cpuPercent").GetDouble());
        Assert.Equal(40, gw3.GetProperty("memoryPercent").GetDouble());
        Assert.InRange(gw3.GetProperty("throttleRetryAfterSeconds").GetDouble(), 1, 5 * 60);
    }

    [Fact]
    public async Task Cluster_ARefusal_ShowsItsLimitAndTheRemainingCoolDown()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);
        host.Clusters.GetCluster("refresh").ReportRefusal("rf-1", ThrottleLimitKind.Memory, TimeSpan.FromSeconds(45));

        JsonElement rf1 = (await client.GetJsonAsync("/cluster-routing/api/clusters/refresh")).Member("rf-1");

        Assert.Equal("MemoryLimit", rf1.GetProperty("throttle").GetString());
        Assert.InRange(rf1.GetProperty("throttleRetryAfterSeconds").GetDouble(), 40, 45);
    }

    [Fact]
    public async Task Cluster_WithMixedVersions_WarnsInTheDocumentsWords()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);

        JsonElement cluster = await client.GetJsonAsync("/cluster-routing/api/clusters/refresh");

        Assert.True(cluster.GetProperty("hasVersionSkew").GetBoolean());
        Assert.Equal(["3000.250.5", "3000.260.3"], cluster.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        string warning = Assert.Single(cluster.GetProperty("warnings").EnumerateArray()).GetString()!;
        Assert.Contains("different versions could cause unexpected failures based on supported functionality", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_OverTheMemberLimit_Warns()
    {
        var clusters = new Dictionary<string, string?>();
        for (int i = 0; i < 11; i++)
        {
            clusters[$"ClusterRouting:big:Members:{i}:Id"] = "m-" + i;
        }

        await using AdminTestHost host = await AdminTestHost.StartAsync(clusters);
        using HttpClient client = host.Client(TestUsers.Reader);

        JsonElement cluster = await client.GetJsonAsync("/cluster-routing/api/clusters/big");
        JsonElement summary = (await client.GetJsonAsync("/cluster-routing/api/clusters")).GetProperty("clusters")[0];

        Assert.True(cluster.GetProperty("exceedsMemberLimit").GetBoolean());
        Assert.Equal(11, cluster.GetProperty("members").GetArrayLength());
        Assert.Contains("11 members, more than the limit of 10", Assert.Single(cluster.GetProperty("warnings").EnumerateArray()).GetString(), StringComparison.Ordinal);
        Assert.True(summary.GetProperty("exceedsMemberLimit").GetBoolean());
    }

    [Fact]
    public async Task List_NamesEachClusterWithItsCounts()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);
        IClusterAdministration sales = host.Clusters.GetAdministration("sales");
        sales.SetMemberEnabled("gw-3", false);
        host.Clusters.GetCluster("sales").ReportOffline("gw-2");

        JsonElement[] clusters = (await client.GetJsonAsync("/cluster-routing/api/clusters")).GetProperty("clusters").EnumerateArray().ToArray();

        Assert.Equal(["refresh", "sales"], clusters.Select(c => c.GetProperty("name").GetString()));
        JsonElement summary = clusters[1];
        Assert.Equal("Failover", summary.GetProperty("mode").GetString());
        Assert.Equal(3, summary.GetProperty("memberCount").GetInt32());
        Assert.Equal(2, summary.GetProperty("enabledCount").GetInt32());
        Assert.Equal(2, summary.GetProperty("onlineCount").GetInt32());
        Assert.True(clusters[0].GetProperty("hasVersionSkew").GetBoolean());
    }

    [Fact]
    public async Task Member_ReadsOneMember_IgnoringCase()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);

        JsonElement member = await client.GetJsonAsync("/cluster-routing/api/clusters/sales/members/GW-3");

        Assert.Equal("gw-3", member.GetProperty("id").GetString());
        Assert.Equal(2, member.GetProperty("index").GetInt32());
    }

    [Fact]
    public async Task Page_WithoutTrailingSlash_RedirectsToTheFolderItsLinksResolveIn()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new("Bearer", TestUsers.Reader.Token);

        using HttpResponseMessage response = await client.GetAsync(new Uri("/cluster-routing", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/cluster-routing/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Page_IsServedFromTheAssembly_WithAnETag()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);

        using HttpResponseMessage page = await client.GetAsync(new Uri("/cluster-routing/", UriKind.Relative));
        string html = await page.Content.ReadAsStringAsync();
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("<script src=\"console.js\" defer></script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http", html.Replace("http-equiv", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        using var conditional = new HttpRequestMessage(HttpMethod.Get, new Uri("/cluster-routing/console.js", UriKind.Relative));
        using HttpResponseMessage script = await client.GetAsync(new Uri("/cluster-routing/console.js", UriKind.Relative));
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        using HttpResponseMessage style = await client.GetAsync(new Uri("/cluster-routing/console.css", UriKind.Relative));
        Assert.Equal("text/css", style.Content.Headers.ContentType!.MediaType);
        conditional.Headers.IfNoneMatch.Add(script.Headers.ETag!);
        using HttpResponseMessage notModified = await client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }
}
