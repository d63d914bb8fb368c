using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ClusterRouting;

/// <summary>
/// Creates each registered cluster from its named options on first use and keeps it for the life of the provider,
/// which disposes it. Options are created through <see cref="IOptionsFactory{TOptions}"/> (binding, configure
/// callbacks, validation) and never through an options monitor, so that nothing re-creates them on a reload outside
/// this class: a reload that fails is logged and rejected here, and never throws into whoever triggered it.
/// </summary>
/// <remarks>
/// On a reload, configuration wins only for a member or setting whose configured value changed (<see cref="ReloadMerge"/>);
/// a reload that would leave a running cluster with no members is rejected; a cluster that appears in the
/// configuration after start is ignored, with a warning.
/// </remarks>
internal sealed class ClusterRegistry : IClusterSelectorProvider, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<ClusterSelector>> _clusters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ClusterOptions> _lastConfigured = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _names;
    private readonly HashSet<string> _ignoredSections = new(StringComparer.Ordinal);
    private readonly Lock _reloadGate = new();
    private readonly List<IDisposable> _subscriptions = new();
    private readonly IOptionsFactory<ClusterOptions> _factory;
    private readonly IOptionsChangeTokenSource<ClusterOptions>[] _changeSources;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly RandomSource? _randomSource;
    private readonly IMeterFactory? _meterFactory;
    private bool _disposed;

    /// <exception cref="InvalidOperationException">A throttle policy was added to a cluster name that is not registered.</exception>
    public ClusterRegistry(IServiceProvider services)
    {
        // Stryker disable once Boolean : the dictionary is a set of names; its values are never read
        _names = new ConcurrentDictionary<string, bool>(
            services.GetServices<ClusterRegistration>().Select(r => new KeyValuePair<string, bool>(r.Name, true)),
            StringComparer.Ordinal);
        ThrowIfPoliciesNameUnknownClusters(services.GetServices<ThrottlePolicyRegistration>());
        _factory = services.GetRequiredService<IOptionsFactory<ClusterOptions>>();
        _changeSources = services.GetServices<IOptionsChangeTokenSource<ClusterOptions>>().ToArray();
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger<ClusterSelector>() ?? NullLogger<ClusterSelector>.Instance;
        _timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _randomSource = services.GetService<RandomSource>();
        _meterFactory = services.GetService<IMeterFactory>();
        foreach (ClusterRoutingConfigurationRoot root in services.GetServices<ClusterRoutingConfigurationRoot>())
        {
            _subscriptions.Add(ChangeToken.OnChange(root.Section.GetReloadToken, () => WarnAboutNewSections(root.Section)));
        }
    }

    public IReadOnlyCollection<string> ClusterNames => _names.Keys.OrderBy(n => n, StringComparer.Ordinal).ToArray();

    public IClusterSelector GetCluster(string clusterName) => Resolve(clusterName);

    public IClusterAdministration GetAdministration(string clusterName) => Resolve(clusterName);

    public bool RemoveCluster(string clusterName)
    {
        Guard.NotNull(clusterName);
        if (!_names.TryRemove(clusterName, out _))
        {
            return false;
        }

        if (_clusters.TryRemove(clusterName, out Lazy<ClusterSelector>? cluster) && cluster.IsValueCreated)
        {
            cluster.Value.Dispose();
        }

        try
        {
            Log.ClusterRemoved(_logger, clusterName);
        }
#pragma warning disable CA1031 // The cluster is removed: a logger that throws must not tell the caller otherwise.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return true;
    }

    internal ClusterSelector Resolve(string clusterName)
    {
        Guard.NotNull(clusterName);
        if (!_names.ContainsKey(clusterName))
        {
            throw new ArgumentException($"No cluster named '{clusterName}' is registered; registered: {string.Join(", ", ClusterNames)}.", nameof(clusterName));
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

    /// <summary>Every problem with the registered clusters' options, each naming the cluster and the field: for validation at start.</summary>
    internal List<string> Validate()
    {
        var problems = new List<string>();
        foreach (string name in ClusterNames)
        {
            try
            {
                _factory.Create(name);
            }
            catch (OptionsValidationException ex)
            {
                problems.AddRange(ex.Failures);
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
            {
                // A value the binder cannot convert ("Mode": "Sideways") fails before validation runs.
                problems.Add($"Cluster '{name}': {ex.Message}");
            }
        }

        return problems;
    }

    public void Dispose()
    {
        lock (_subscriptions)
        {
            _disposed = true;
            foreach (IDisposable subscription in _subscriptions)
            {
                subscription.Dispose();
            }

            // Stryker disable once Statement : a disposed registry never reads the list again (_disposed stops additions); clearing only lets the subscriptions go
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

    private void ThrowIfPoliciesNameUnknownClusters(IEnumerable<ThrottlePolicyRegistration> policies)
    {
        foreach (ThrottlePolicyRegistration policy in policies)
        {
            if (!_names.ContainsKey(policy.ClusterName))
            {
                throw new InvalidOperationException(
                    $"AddThrottlePolicy<{policy.PolicyType.Name}>(\"{policy.ClusterName}\") names no registered cluster; registered: {string.Join(", ", ClusterNames)}.");
            }
        }
    }

    private ClusterSelector Create(string name)
    {
        ClusterOptions options = _factory.Create(name);
        var cluster = new ClusterSelector(name, options, _timeProvider, _randomSource, _logger, _meterFactory);
        _lastConfigured[name] = options.Clone();
        lock (_subscriptions)
        {
            if (!_disposed)
            {
                foreach (IOptionsChangeTokenSource<ClusterOptions> source in _changeSources)
                {
                    if (source.Name is null || string.Equals(source.Name, name, StringComparison.Ordinal))
                    {
                        _subscriptions.Add(ChangeToken.OnChange(source.GetChangeToken, () => Reload(cluster)));
                    }
                }
            }
        }

        return cluster;
    }

    private void Reload(ClusterSelector cluster)
    {
        string name = cluster.ClusterName;
        if (!_names.ContainsKey(name))
        {
            return; // removed at runtime: configuration does not bring it back
        }

        ClusterOptions next;
        try
        {
            next = _factory.Create(name);
        }
        catch (OptionsValidationException ex)
        {
            Rejected(cluster, string.Join(" ", ex.Failures));
            return;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException)
        {
            // A value the binder cannot convert ("Mode": "Sideways") fails before validation runs.
            Rejected(cluster, ex.Message);
            return;
        }

        // One reload at a time: each merges against what the one before it applied.
        lock (_reloadGate)
        {
            ClusterOptions last = _lastConfigured[name];
            if (next.Members.Count == 0 && last.Members.Count > 0)
            {
                Rejected(cluster, $"Cluster '{name}': the new configuration has no members (is its section missing or misspelled?); a reload does not empty a running cluster. To take it out of service, disable its members or remove the cluster.");
                return;
            }

            try
            {
                cluster.Reconfigure(ReloadMerge.Merge(last, next, cluster.State.CurrentOptions()));
                _lastConfigured[name] = next.Clone();
            }
            catch (ObjectDisposedException)
            {
                // The cluster was removed, or the container is being disposed: there is nothing left to change.
            }
            catch (ArgumentException ex)
            {
                // Configuration alone was valid, but with runtime changes merged in it is not (more than one member
                // named alike, for example): the last good state keeps serving.
                Rejected(cluster, ReasonOf(ex));
            }
        }
    }

    /// <summary>
    /// The message of <paramref name="error"/> without the " (Parameter 'options')" the runtime appends to it: the log
    /// names the cluster, and the argument is the options object a reload passes, nothing an operator set.
    /// </summary>
    internal static string ReasonOf(ArgumentException error)
    {
        // The runtime's own (localized) suffix, as an empty message with the same parameter name renders it: empty
        // when there is no parameter name.
        string message = error.Message;
        string suffix = new ArgumentException(string.Empty, error.ParamName).Message;
        return message.EndsWith(suffix, StringComparison.Ordinal) ? message.Substring(0, message.Length - suffix.Length) : message;
    }

    /// <summary>
    /// Logs a rejected reload. It runs inside <c>IConfigurationRoot.Reload()</c>: a logger that throws is counted on the
    /// cluster (<c>cluster_routing.callback.failures</c>, <c>logger</c>) and never reaches the reloader.
    /// </summary>
    private void Rejected(ClusterSelector cluster, string errors)
    {
        try
        {
            Log.ConfigurationRejected(_logger, cluster.ClusterName, errors);
        }
#pragma warning disable CA1031 // Counted: a logger's failure is user code's failure, never the reloader's.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            cluster.State.Failures.Report(CallbackKind.Logger, ex);
        }
    }

    private void WarnAboutNewSections(IConfiguration root)
    {
        foreach (IConfigurationSection section in root.GetChildren())
        {
            bool first;
            lock (_ignoredSections)
            {
                first = !_names.ContainsKey(section.Key) && _ignoredSections.Add(section.Key);
            }

            if (first)
            {
                try
                {
                    Log.ClusterConfigurationIgnored(_logger, section.Key);
                }
#pragma warning disable CA1031 // Runs inside IConfigurationRoot.Reload(): nothing may throw into the reloader.
                catch (Exception)
#pragma warning restore CA1031
                {
                }
            }
        }
    }
}
