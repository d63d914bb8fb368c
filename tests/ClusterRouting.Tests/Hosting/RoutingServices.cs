using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Hosting;

/// <summary>
/// A service provider with ClusterRouting added from an in-memory configuration (section "ClusterRouting"), a fake
/// clock registered as the <see cref="TimeProvider"/> and fake logging (AddFakeLogging) at the Trace level.
/// </summary>
internal sealed class RoutingServices : IDisposable
{
    public const string Section = "ClusterRouting";

    private RoutingServices(IConfigurationRoot configuration, ServiceProvider services, FakeTimeProvider time)
    {
        Configuration = configuration;
        Services = services;
        Time = time;
        Log = services.GetFakeLogCollector();
    }

    public IConfigurationRoot Configuration { get; }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>Gets what every logger of the container logged.</summary>
    public FakeLogCollector Log { get; }

    public IClusterSelectorProvider Provider => Services.GetRequiredService<IClusterSelectorProvider>();

    /// <summary>The cluster registered under <paramref name="name"/>, as both the selector and the administration it is.</summary>
    public ClusterSelector Cluster(string name) => (ClusterSelector)Provider.GetCluster(name);

    public static RoutingServices Create(
        IEnumerable<KeyValuePair<string, string?>> settings,
        Action<IClusterRoutingBuilder>? configureRouting = null,
        Action<IServiceCollection>? configureServices = null)
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var time = new FakeTimeProvider();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        configureServices?.Invoke(services);
        IClusterRoutingBuilder builder = services.AddClusterRouting(configuration.GetSection(Section));
        configureRouting?.Invoke(builder);
        return new RoutingServices(configuration, services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }), time);
    }

    /// <summary>Sets one key of a cluster's section ("ClusterRouting:cluster:key") without reloading.</summary>
    public void Set(string cluster, string key, string? value) => Configuration[$"{Section}:{cluster}:{key}"] = value;

    public void Dispose()
    {
        Services.Dispose();
        (Configuration as IDisposable)?.Dispose();
    }
}

/// <summary>Builds the flat key/value pairs of an in-memory configuration for one or more clusters.</summary>
internal static class Settings
{
    /// <summary>Prefixes every key with "ClusterRouting:<paramref name="cluster"/>:".</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Cluster(string cluster, params (string Key, string? Value)[] values) =>
        values.Select(v => new KeyValuePair<string, string?>($"{RoutingServices.Section}:{cluster}:{v.Key}", v.Value));

    /// <summary>Members:i:Id = gw-i for i in 0 .. count - 1.</summary>
    public static (string Key, string? Value)[] Members(int count, int first = 0) =>
        Enumerable.Range(first, count).Select(i => ($"Members:{i}:Id", (string?)$"gw-{i}")).ToArray();
}

internal static class SelectionExtensions
{
    /// <summary>Selects <paramref name="count"/> times, ending each lease at once; "(none)" for a failed selection.</summary>
    public static string[] SelectIds(this ClusterSelector cluster, int count) =>
        Enumerable.Range(0, count).Select(_ => cluster.SelectOnce() ?? "(none)").ToArray();
}
