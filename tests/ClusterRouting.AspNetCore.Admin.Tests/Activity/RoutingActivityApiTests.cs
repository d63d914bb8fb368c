using System.Text.Json;

namespace ClusterRouting.Admin.Tests;

/// <summary>
/// What routing did over the last minute, as the console shows it, counted from the engine's own meter on a real
/// server: selections per member, failovers, refusals, offline attempts, failed selections; and only the host's own.
/// </summary>
public sealed class RoutingActivityApiTests
{
    [Fact]
    public async Task Activity_CountsSelectionsFailoversRefusalsOfflineAttemptsAndFailures()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);
        IClusterSelector sales = host.Clusters.GetCluster("sales");
        IClusterAdministration admin = host.Clusters.GetAdministration("sales");

        Select(sales, 5);                                      // 5 on gw-1
        admin.SetMemberEnabled("gw-1", false);
        Select(sales, 3);                                      // 3 on gw-2, each a failover
        sales.ReportOffline("gw-3");
        sales.ReportOffline("gw-3");                           // 2 offline attempts on gw-3
        admin.SetMemberEnabled("gw-1", true);
        string ran = await sales.ExecuteAsync((lease, _) => lease.MemberId == "gw-1"
            ? throw new MemberRefusedException(ThrottleLimitKind.Cpu)
            : new ValueTask<string>(lease.MemberId));          // gw-1 refuses, gw-2 runs it (a selection and a failover)
        Assert.Equal("gw-2", ran);
        admin.SetMemberEnabled("gw-1", false);
        admin.SetMemberEnabled("gw-2", false);
        admin.SetMemberEnabled("gw-3", false);
        Assert.False(sales.TrySelect(out _));
        Assert.False(sales.TrySelect(out _));                  // 2 failed selections

        JsonElement cluster = await client.GetJsonAsync("/cluster-routing/api/clusters/sales");

        AssertCounts(cluster.Member("gw-1").GetProperty("activity"), selections: 6, failovers: 0, refusals: 1, offline: 0);
        AssertCounts(cluster.Member("gw-2").GetProperty("activity"), selections: 4, failovers: 4, refusals: 0, offline: 0);
        AssertCounts(cluster.Member("gw-3").GetProperty("activity"), selections: 0, failovers: 0, refusals: 0, offline: 2);
        JsonElement total = cluster.GetProperty("activity");
        AssertCounts(total, selections: 10, failovers: 4, refusals: 1, offline: 2);
        Assert.Equal(2, total.GetProperty("failedSelections").GetInt64());
        Assert.Equal(60, total.GetProperty("windowSeconds").GetInt32());
    }

    [Fact]
    public async Task Activity_CountsARefusalReportedDirectly_AsTheHttpHandlerReportsThem()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);

        host.Clusters.GetCluster("sales").ReportRefusal("gw-2", ThrottleLimitKind.Concurrency, TimeSpan.FromSeconds(5));

        JsonElement cluster = await client.GetJsonAsync("/cluster-routing/api/clusters/sales");
        AssertCounts(cluster.Member("gw-2").GetProperty("activity"), selections: 0, failovers: 0, refusals: 1, offline: 0);
        Assert.Equal("Concurrency", cluster.Member("gw-2").GetProperty("refusedFor").GetString());
        Assert.InRange(cluster.Member("gw-2").GetProperty("refusalCoolDownSeconds").GetDouble(), 0.1, 5);
    }

    [Fact]
    public async Task Activity_OfAnotherHostInTheProcess_IsNotCounted()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        await using AdminTestHost other = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);

        Select(other.Clusters.GetCluster("sales"), 7);
        Select(host.Clusters.GetCluster("sales"), 2);

        JsonElement cluster = await client.GetJsonAsync("/cluster-routing/api/clusters/sales");
        Assert.Equal(2, cluster.GetProperty("activity").GetProperty("selections").GetInt64());
    }

    [Fact]
    public async Task Activity_OfAClusterRemovedAndOfARemovedMember_IsForgotten()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);
        IClusterSelector sales = host.Clusters.GetCluster("sales");
        Select(sales, 2);
        (await client.DeleteAsync("/cluster-routing/api/clusters/sales/members/gw-1")).EnsureSuccessStatusCode();
        Select(sales, 1);

        JsonElement cluster = await client.GetJsonAsync("/cluster-routing/api/clusters/sales");

        // The cluster's own count keeps what happened; the member it happened on is gone from the table.
        Assert.Equal(3, cluster.GetProperty("activity").GetProperty("selections").GetInt64());
        Assert.Equal(1, cluster.Member("gw-2").GetProperty("activity").GetProperty("selections").GetInt64());
    }

    private static void Select(IClusterSelector cluster, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using MemberLease lease = cluster.Select();
        }
    }

    private static void AssertCounts(JsonElement activity, long selections, long failovers, long refusals, long offline)
    {
        Assert.Equal(
            (selections, failovers, refusals, offline),
            (activity.GetProperty("selections").GetInt64(), activity.GetProperty("failovers").GetInt64(), activity.GetProperty("refusals").GetInt64(), activity.GetProperty("offlineAttempts").GetInt64()));
    }
}
