using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ClusterRouting;

/// <summary>
/// Creates each registered cluster from its named options on first use and keeps it for the life of the provider,
/// which disposes it. A configuration change is applied atomically with <see cref="ClusterSelector.Reconfigure"/>,
/// which keeps in-flight leases and the penalty and utilization state of members that stay; an invalid change is
/// logged and ignored, and the last good configuration keeps serving.
/// </summary>
internal sealed class ClusterRegistry : IClusterSelectorProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ClusterSelector>> _clusters = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = new();
    private readonly HashSet<string> _names;
    private readonly IOptionsMonitor<ClusterOptions> _monitor;
    private readonly IOptionsFactory<ClusterOptions> _factory;
    private readonly IOptionsChangeTokenSource<ClusterOptions>[] _changeSources;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly RandomSource? _randomSource;
    private readonly IMeterFactory? _meterFactory;

    public ClusterRegistry(IServiceProvider services)
    {
        _names = new HashSet<string>(services.GetServices<ClusterRegistration>().Select(r => r.Name), StringComparer.Ordinal);
        _monitor = services.GetRequiredService<IOptionsMonitor<ClusterOptions>>();
        _factory = services.GetRequiredService<IOptionsFactory<ClusterOptions>>();
        _changeSources = services.GetServices<IOptionsChangeTokenSource<ClusterOptions>>().ToArray();
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger<ClusterSelector>() ?? NullLogger<ClusterSelector>.Instance;
        _timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _randomSource = services.GetService<RandomSource>();
        _meterFactory = services.GetService<IMeterFactory>();
    }

    public IReadOnlyCollection<string> ClusterNames => _names;

    public IClusterSelector GetCluster(string clusterName) => Resolve(clusterName);

    public IClusterAdministration GetAdministration(string clusterName) => Resolve(clusterName);

    internal ClusterSelector Resolve(string clusterName)
    {
        Guard.NotNull(clusterName);
        if (!_names.Contains(clusterName))
        {
            throw new ArgumentException($"No cluster named '{clusterName}' is registered; registered: {string.Join(", ", _names.OrderBy(n => n, StringComparer.Ordinal))}.", nameof(clusterName));
        }

        Lazy<ClusterSelector> cluster = _clusters.GetOrAdd(clusterName, name => new Lazy<ClusterSelector>(() => Create(name)));
        try
        {
            return cluster.Value;
        }
        catch (Exception)
        {
            // Lazy caches the exception: forget it, so that a fixed configuration creates the cluster next time.
            ((ICollection<KeyValuePair<string, Lazy<ClusterSelector>>>)_clusters).Remove(new KeyValuePair<string, Lazy<ClusterSelector>>(clusterName, cluster));
            throw;
        }
    }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            foreach (IDisposable subscription in _subscriptions)
            {
                subscription.Dispose();
            }

            _subscriptions.Clear();
        }

        foreach (Lazy<ClusterSelector> cluster in _clusters.Values)
        {
            if (cluster.IsValueCreated)
            {
                cluster.Value.Dispose();
            }
        }
    }

    private ClusterSelector Create(string name)
    {
        ClusterOptions options = _monitor.Get(name);
        var cluster = new ClusterSelector(name, options, _timeProvider, _randomSource, _logger, _meterFactory);
        lock (_subscriptions)
        {
            foreach (IOptionsChangeTokenSource<ClusterOptions> source in _changeSources)
            {
                if (source.Name is null || string.Equals(source.Name, name, StringComparison.Ordinal))
                {
                    _subscriptions.Add(ChangeToken.OnChange(source.GetChangeToken, () => Reload(cluster)));
                }
            }
        }

        return cluster;
    }

    private void Reload(ClusterSelector cluster)
    {
        try
        {
            cluster.Reconfigure(_factory.Create(cluster.ClusterName));
        }
        catch (OptionsValidationException ex)
        {
            Log.ConfigurationRejected(_logger, cluster.ClusterName, string.Join(" ", ex.Failures));
        }
        catch (ObjectDisposedException)
        {
            // The container is being disposed: a reload that races with it has nothing left to change.
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            // A value the binder cannot convert ("Mode": "Sideways") fails before validation runs.
            Log.ConfigurationRejected(_logger, cluster.ClusterName, ex.Message);
        }
    }
}
