using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Http.Tests.Probing;

/// <summary>
/// What the probing service does with clusters it cannot read while it follows the membership: one removed or disposed
/// between listing the names and reading it is skipped quietly; one whose options are invalid is skipped with one
/// warning, however often it is met; the others are probed all the same. And what <c>AddHealthProbing()</c> registers.
/// </summary>
public sealed class ProbingServiceReconcileTests
{
    [Fact]
    public void Reconcile_ClustersThatCannotBeRead_AreSkipped_AndAnInvalidOneIsReportedOnce()
    {
        var time = new FakeTimeProvider();
        using var probed = new ClusterSelector("ok", new ClusterOptions { Members = { new("gw-1") { Address = new Uri("http://127.0.0.1:1/") } } }, time);
        var disposed = new ClusterSelector("disposed", new ClusterOptions { Members = { new("gw-1") { Address = new Uri("http://127.0.0.1:2/") } } }, time);
        disposed.Dispose();
        var provider = new ScriptedProvider(new Dictionary<string, Func<IClusterSelector>>
        {
            ["disposed"] = () => disposed,
            ["gone"] = () => throw new ArgumentException("No cluster named 'gone' is registered.", "clusterName"),
            ["invalid"] = () => throw new OptionsValidationException("invalid", typeof(ClusterOptions), ["ClusterOptions.Members: at least one member is required."]),
            ["unready"] = () => throw new InvalidOperationException("The cluster is not ready."),
            ["ok"] = () => probed,
        });
        using var logs = new FakeLoggerProvider();
        using var loggerFactory = new LoggerFactory([logs]);
        var options = Options.Create(new HealthProbingOptions());
        using var service = new HealthProbingService(provider, new NoClients(), options, time, loggerFactory);
        using var stop = new CancellationTokenSource();

        service.Reconcile(stop.Token);
        Assert.Equal(2, logs.Collector.GetSnapshot().Count(r => r.Id.Name == "ClusterNotProbed"));
        service.Reconcile(stop.Token);

        Assert.Equal([("ok", "GW-1")], service.Probed.Keys);
        string[] warnings = logs.Collector.GetSnapshot().Where(r => r.Id.Name == "ClusterNotProbed").Select(r => r.Message).ToArray();
        Assert.Equal(
            ["Cluster invalid is not probed: ClusterOptions.Members: at least one member is required.", "Cluster unready is not probed: The cluster is not ready."],
            warnings);
        stop.Cancel();
    }

    [Fact]
    public void AddHealthProbing_WithoutSettings_RegistersTheHostedServiceWithTheDefaults()
    {
        var services = new ServiceCollection();
        services.AddClusterRouting().AddHealthProbing();
        using ServiceProvider provider = services.BuildServiceProvider();

        HealthProbingOptions options = provider.GetRequiredService<IOptions<HealthProbingOptions>>().Value;
        var defaults = new HealthProbingOptions();
        Assert.Equal(
            (defaults.Path, defaults.Interval, defaults.UnhealthyInterval, defaults.Timeout, defaults.UnhealthyThreshold, defaults.Jitter),
            (options.Path, options.Interval, options.UnhealthyInterval, options.Timeout, options.UnhealthyThreshold, options.Jitter));
        Assert.Same(provider.GetRequiredService<HealthProbingService>(), Assert.Single(provider.GetServices<IHostedService>()));
    }

    private sealed class ScriptedProvider(Dictionary<string, Func<IClusterSelector>> clusters) : IClusterSelectorProvider
    {
        public IReadOnlyCollection<string> ClusterNames => clusters.Keys;

        public IClusterSelector GetCluster(string clusterName) => clusters[clusterName]();

        public IClusterAdministration GetAdministration(string clusterName) => throw new NotSupportedException();

        public bool RemoveCluster(string clusterName) => throw new NotSupportedException();
    }

    /// <summary>No probe gets as far as a client in these tests: the fake clock never reaches the first (jittered, so after a positive delay).</summary>
    private sealed class NoClients : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("not used");
    }
}
