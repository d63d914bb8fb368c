using System.Net;
using System.Text.Json;
using ClusterRouting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

/// <summary>
/// Exercises the packed ClusterRouting.AspNetCore package: a real Kestrel member on 127.0.0.1 with a concurrency limit
/// of 1, one request held in flight, a second one that must be refused in the documented form, and the health endpoint;
/// then a router (ClusterRouting.Http's active health probing) that learns the member's version from its probes.
/// </summary>
internal static class MemberCheck
{
    public static async Task RunAsync(Action<bool, string> check)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddClusterMember(o => { o.Id = "member-1"; o.Version = "1.0.0"; o.ConcurrentOperationLimitPreview = 1; });
        await using WebApplication app = builder.Build();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int entered = 0;
        app.UseClusterMemberLimits();
        app.MapClusterMemberHealth("/cluster-routing/health");
        app.MapGet("/work", async (HttpContext context) =>
        {
            Interlocked.Increment(ref entered);
            await gate.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("done");
        });
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };

            Task<HttpResponseMessage> held = client.GetAsync(new Uri("/work", UriKind.Relative));
            for (int i = 0; i < 1000 && Volatile.Read(ref entered) == 0; i++)
            {
                await Task.Delay(10);
            }

            check(Volatile.Read(ref entered) == 1, "member: the first request is admitted");
            using (HttpResponseMessage refused = await client.GetAsync(new Uri("/work", UriKind.Relative)))
            {
                string body = await refused.Content.ReadAsStringAsync();
                check(refused.StatusCode == HttpStatusCode.ServiceUnavailable, "member: a request at the concurrency limit is refused with 503");
                check(refused.Headers.TryGetValues("ClusterRouting-Limit", out IEnumerable<string>? limit) && limit.Single() == "concurrency", "member: the refusal names the limit in ClusterRouting-Limit");
                check(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "member: the refusal has a Retry-After of at least 1 s");
                check(body.Contains(ClusterThrottledException.MessageFor(ThrottleLimitKind.Concurrency), StringComparison.Ordinal), "member: the refusal's body has the gateway's sentence word for word");
            }

            using (HttpResponseMessage health = await client.GetAsync(new Uri("/cluster-routing/health", UriKind.Relative)))
            {
                string text = await health.Content.ReadAsStringAsync();
                Console.WriteLine($"     health: {text}");
                using JsonDocument json = JsonDocument.Parse(text);
                JsonElement root = json.RootElement;
                check(health.StatusCode == HttpStatusCode.OK, "member: the health endpoint answers while the member is full");
                check(root.GetProperty("id").GetString() == "member-1" && root.GetProperty("online").GetBoolean(), "member: health reports the id and online");
                check(root.GetProperty("inFlight").GetInt32() == 1 && root.GetProperty("overLimit").GetString() == "concurrency", "member: health reports 1 in flight and the concurrency limit");
            }

            gate.SetResult();
            using HttpResponseMessage served = await held.WaitAsync(TimeSpan.FromSeconds(30));
            check(served.StatusCode == HttpStatusCode.OK, "member: the admitted request is served");

            await ProbeAsync(new Uri(address), check);
        }
        finally
        {
            gate.TrySetResult();
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private static async Task ProbeAsync(Uri memberAddress, Action<bool, string> check)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddClusterRouting()
            .AddCluster("probed", o => o.Members.Add(new ClusterMemberOptions("member-1") { Address = memberAddress }))
            .AddHealthProbing(o => o.Interval = TimeSpan.FromMilliseconds(200));
        await using ServiceProvider router = services.BuildServiceProvider();
        Microsoft.Extensions.Hosting.IHostedService[] hosted = router.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToArray();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        IClusterSelector cluster = router.GetRequiredService<IClusterSelectorProvider>().GetCluster("probed");
        for (int i = 0; i < 500 && cluster.GetStatus().Members[0].Version is null; i++)
        {
            await Task.Delay(10);
        }

        check(cluster.GetStatus().Members[0].Version == "1.0.0", "probing: the router learns the member's version from its health probes");
        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }
    }
}
