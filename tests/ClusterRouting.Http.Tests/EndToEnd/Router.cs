using System.Diagnostics.Metrics;
using ClusterRouting.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Http.Tests.EndToEnd;

/// <summary>
/// A router as an application sets one up: a container with the cluster (members and their addresses), active health
/// probing started as a hosted service, and an <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/> whose
/// requests <c>ClusterRoutingHandler</c> routes. It counts, from the engine's own metrics, the attempts that found a
/// member offline: each is a user request wasted on a member that was down.
/// </summary>
internal sealed class Router : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly IHostedService[] _hosted;
    private readonly MetricCollector<long> _offlineAttempts;

    private Router(ServiceProvider services, IHostedService[] hosted)
    {
        _services = services;
        _hosted = hosted;
        Cluster = (ClusterSelector)services.GetRequiredService<IClusterSelectorProvider>().GetCluster("gateway");
        Client = services.GetRequiredService<IHttpClientFactory>().CreateClient("gateway");
        _offlineAttempts = new MetricCollector<long>(services.GetRequiredService<IMeterFactory>(), ClusterRoutingTelemetry.MeterName, ClusterRoutingTelemetry.OfflineAttempts);
    }

    public ClusterSelector Cluster { get; }

    public IServiceProvider Services => _services;

    public HttpClient Client { get; }

    /// <summary>Gets how many attempts found a member offline (user requests wasted on a member that was down).</summary>
    public long OfflineAttempts => _offlineAttempts.GetMeasurementSnapshot().Sum(m => m.Value);

    public MemberStatus Member(string id) => Cluster.GetStatus().Members.Single(m => m.Id == id);

    public static async Task<Router> StartAsync(IEnumerable<GatewayMember> members, Action<ClusterOptions>? cluster = null, Action<HealthProbingOptions>? probing = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddMetrics();
        GatewayMember[] list = members.ToArray();
        IClusterRoutingBuilder routing = services.AddClusterRouting().AddCluster("gateway", o =>
        {
            foreach (GatewayMember member in list)
            {
                o.Members.Add(new ClusterMemberOptions(member.Id) { Address = member.Address });
            }

            cluster?.Invoke(o);
        });
        if (probing is not null)
        {
            routing.AddHealthProbing(probing);
        }

        services.AddHttpClient("gateway", c => c.BaseAddress = new Uri("http://gateway/")).AddClusterRouting("gateway");
        ServiceProvider provider = services.BuildServiceProvider();
        IHostedService[] hosted = provider.GetServices<IHostedService>().ToArray();
        foreach (IHostedService service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        return new Router(provider, hosted);
    }

    /// <summary>Sends one GET /work and returns the id of the member that served it.</summary>
    public async Task<string> WorkAsync(CancellationToken cancellationToken = default) =>
        await Client.GetStringAsync(new Uri("work", UriKind.Relative), cancellationToken);

    /// <summary>Waits, polling the cluster's status, until <paramref name="condition"/> holds; returns how long it took.</summary>
    public async Task<TimeSpan> UntilAsync(Func<ClusterStatus, bool> condition, TimeSpan limit)
    {
        long started = TimeProvider.System.GetTimestamp();
        while (!condition(Cluster.GetStatus()))
        {
            TimeSpan waited = TimeProvider.System.GetElapsedTime(started);
            Assert.True(waited < limit, $"The cluster did not reach the state in {limit}: {Cluster.GetStatus()}");
            await Task.Delay(10);
        }

        return TimeProvider.System.GetElapsedTime(started);
    }

    /// <summary>Waits until <paramref name="condition"/> holds, without reading the cluster (which may be gone); returns how long it took.</summary>
    public static async Task<TimeSpan> UntilUnconditionallyAsync(Func<bool> condition, TimeSpan limit)
    {
        long started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < limit, $"The condition did not hold in {limit}.");
            await Task.Delay(10);
        }

        return TimeProvider.System.GetElapsedTime(started);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IHostedService service in _hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }

        _offlineAttempts.Dispose();
        Client.Dispose();
        await _services.DisposeAsync();
    }
}
