using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterRouting.Admin.Tests;

/// <summary>A change's side effects beyond the engine: removing a cluster through the console forgets its routing activity at once.</summary>
public sealed class ClusterChangesTests
{
    [Fact]
    public async Task RemoveCluster_ForgetsItsActivity()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Operator);
        RoutingActivity activity = host.App.Services.GetRequiredService<RoutingActivity>();
        for (int i = 0; i < 2; i++)
        {
            using MemberLease lease = host.Clusters.GetCluster("refresh").Select();
        }

        Assert.Equal(2, activity.Read("refresh", ["rf-1", "rf-2"]).Cluster.Selections);

        using HttpResponseMessage response = await client.DeleteAsync("/cluster-routing/api/clusters/refresh");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(0, activity.Read("refresh", ["rf-1", "rf-2"]).Cluster.Selections);
    }
}
