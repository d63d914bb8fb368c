using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.HealthChecks.Tests;

/// <summary>
/// The checks served the way an operator's probe reads them: a real Kestrel server on loopback with
/// <c>MapHealthChecks</c>, answering 200 Healthy, 200 Degraded and 503 Unhealthy as the cluster's members change.
/// </summary>
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task HealthEndpoint_FollowsTheCluster_OnARealServer()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ClusterRouting:sales:Members:0:Id"] = "gw-0",
            ["ClusterRouting:sales:Members:1:Id"] = "gw-1",
        });
        builder.Services.AddClusterRouting(builder.Configuration.GetSection("ClusterRouting"));
        builder.Services.AddHealthChecks().AddClusterRouting();
        await using WebApplication app = builder.Build();
        app.MapHealthChecks("/healthz");
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        IClusterAdministration sales = app.Services.GetRequiredService<IClusterSelectorProvider>().GetAdministration("sales");

        Assert.Equal((HttpStatusCode.OK, "Healthy"), await Get(client));

        sales.SetMemberEnabled("gw-0", false);
        Assert.Equal((HttpStatusCode.OK, "Degraded"), await Get(client));

        sales.SetMemberEnabled("gw-1", false);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "Unhealthy"), await Get(client));

        sales.SetMemberEnabled("gw-0", true);
        sales.SetMemberEnabled("gw-1", true);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), await Get(client));
        await app.StopAsync();
    }

    private static async Task<(HttpStatusCode, string)> Get(HttpClient client)
    {
        using HttpResponseMessage response = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
