using BenchmarkDotNet.Attributes;
using ClusterRouting.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// One GET to a loopback Kestrel member (a 2-byte answer, buffered by HttpClient as by default), three ways, against
/// the same three members started once: a plain <see cref="HttpClient"/> to the first member (baseline); the
/// <see cref="ClusterRoutingHandler"/> in Failover mode (so the same member takes every request); and
/// Microsoft.Extensions.Http.Resilience's standard hedging handler with ordered groups, one member per group (its
/// routing strategy, per-endpoint circuit breakers and timeouts; the first group takes every request). Each client
/// has its own <see cref="SocketsHttpHandler"/> and connection pool. The figures include the member's own work and,
/// for allocations, Kestrel's: compare the differences.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HttpRoutingBenchmarks
{
    private static readonly string[] Ids = ["gw-1", "gw-2", "gw-3"];

    private readonly List<WebApplication> _members = [];
    private readonly List<Uri> _addresses = [];
    private HttpClient _plain = null!;
    private HttpClient _routed = null!;
    private HttpClient _hedging = null!;
    private ClusterSelector _cluster = null!;
    private ServiceProvider _services = null!;
    private Uri _plainUri = null!;
    private Uri _clusterUri = null!;

    [GlobalSetup]
    public void Setup()
    {
        foreach (string id in Ids)
        {
            (WebApplication app, Uri address) = StartMemberAsync().GetAwaiter().GetResult();
            _members.Add(app);
            _addresses.Add(address);
        }

        _plainUri = new Uri(_addresses[0], "work");
        _clusterUri = new Uri("http://refresh/work");
        _plain = new HttpClient(new SocketsHttpHandler());

        var options = new ClusterOptions { Mode = SelectionMode.Failover };
        for (int i = 0; i < Ids.Length; i++)
        {
            options.Members.Add(new ClusterMemberOptions(Ids[i]) { Address = _addresses[i] });
        }

        _cluster = new ClusterSelector("refresh", options);
        _routed = new HttpClient(new ClusterRoutingHandler(_cluster) { InnerHandler = new SocketsHttpHandler() });

        var services = new ServiceCollection();
        services.AddHttpClient("hedging")
            .RemoveAllLoggers()
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler())
            .AddStandardHedgingHandler(routing => routing.ConfigureOrderedGroups(groups =>
            {
                foreach (Uri address in _addresses)
                {
                    groups.Groups.Add(new UriEndpointGroup { Endpoints = { new WeightedUriEndpoint { Uri = address } } });
                }
            }));
        _services = services.BuildServiceProvider();
        _hedging = _services.GetRequiredService<IHttpClientFactory>().CreateClient("hedging");

        // Warm every connection pool once, so that the first measured request does not connect.
        Plain().GetAwaiter().GetResult();
        ClusterRouting().GetAwaiter().GetResult();
        ResilienceHedgingOrderedGroups().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.Dispose();
        _routed.Dispose();
        _services.Dispose();
        _cluster.Dispose();
        foreach (WebApplication member in _members)
        {
            member.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true)]
    public async Task<int> Plain()
    {
        using HttpResponseMessage response = await _plain.GetAsync(_plainUri).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    [Benchmark]
    public async Task<int> ClusterRouting()
    {
        using HttpResponseMessage response = await _routed.GetAsync(_clusterUri).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    [Benchmark]
    public async Task<int> ResilienceHedgingOrderedGroups()
    {
        using HttpResponseMessage response = await _hedging.GetAsync(_clusterUri).ConfigureAwait(false);
        return (int)response.StatusCode;
    }

    private static async Task<(WebApplication App, Uri Address)> StartMemberAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        WebApplication app = builder.Build();
        byte[] body = "ok"u8.ToArray();
        app.Run(context =>
        {
            context.Response.ContentLength = body.Length;
            return context.Response.Body.WriteAsync(body).AsTask();
        });
        await app.StartAsync().ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return (app, new Uri(address + "/"));
    }
}
