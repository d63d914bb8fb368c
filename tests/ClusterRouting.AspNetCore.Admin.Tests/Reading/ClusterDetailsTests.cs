using System.Text.Json;

namespace ClusterRouting.Admin.Tests;

/// <summary>The description of a cluster: its mixed-versions warning names the versions.</summary>
public sealed class ClusterDetailsTests
{
    [Fact]
    public async Task Cluster_WithMixedVersions_WarningListsTheVersions()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);

        JsonElement cluster = await client.GetJsonAsync("/cluster-routing/api/clusters/refresh");

        Assert.Equal(
            "The members run different versions (3000.250.5, 3000.260.3): make sure the members of a cluster run the same version, as different versions could cause unexpected failures based on supported functionality.",
            Assert.Single(cluster.GetProperty("warnings").EnumerateArray()).GetString());
    }
}
