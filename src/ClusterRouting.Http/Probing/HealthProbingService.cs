using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClusterRouting.Http;

/// <summary>
/// The hosted service that probes the members of the registered clusters: it keeps one <see cref="MemberProbeLoop"/>
/// per member that has an address, checking the membership every <see cref="HealthProbingOptions.UnhealthyInterval"/>
/// so that members added, removed or readdressed at runtime (an admin change, a reload) are followed, and stops the
/// loops when the host stops. Probes run beside selections and never hold them up.
/// </summary>
internal sealed class HealthProbingService : BackgroundService
{
    private readonly IClusterSelectorProvider _provider;
    private readonly IHttpClientFactory _clients;
    private readonly HealthProbingOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly MemberProber _prober;
    private readonly Dictionary<(string Cluster, string Member), Running> _loops = new();
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);

    public HealthProbingService(
        IClusterSelectorProvider provider,
        IHttpClientFactory clients,
        IOptions<HealthProbingOptions> options,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null)
    {
        _provider = provider;
        _clients = clients;
        _options = options.Value;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = loggerFactory is null ? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance : GuardedLogger.Wrap(loggerFactory.CreateLogger<HealthProbingService>());
        _prober = new MemberProber(() => _clients.CreateClient(HealthProbingOptions.HttpClientName), _options, _timeProvider);
    }

    /// <summary>Gets the members probed now, by cluster and member id, with the probe loop of each (for tests and diagnostics).</summary>
    internal IReadOnlyDictionary<(string Cluster, string Member), MemberProbeLoop> Probed
    {
        get
        {
            lock (_loops)
            {
                return _loops.ToDictionary(p => p.Key, p => p.Value.Loop);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                Reconcile(stoppingToken);

                // Stryker disable once Boolean : ExecuteAsync runs on the thread pool (BackgroundService starts it with Task.Run since Microsoft.Extensions.Hosting.Abstractions 10), where there is no SynchronizationContext to return to
                await Task.Delay(_options.UnhealthyInterval, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
        finally
        {
            Task[] running;
            lock (_loops)
            {
                running = _loops.Values.Select(r => r.Stop()).ToArray();
                _loops.Clear();
            }

            // Stryker disable once Boolean : ExecuteAsync runs on the thread pool (BackgroundService starts it with Task.Run since Microsoft.Extensions.Hosting.Abstractions 10), where there is no SynchronizationContext to return to
            await Task.WhenAll(running).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a loop for each member with an address not probed yet, and stops those of members gone or readdressed.</summary>
    internal void Reconcile(CancellationToken stoppingToken)
    {
        var present = new HashSet<(string, string)>();
        foreach (string clusterName in _provider.ClusterNames)
        {
            if (_options.Clusters.Count > 0 && !_options.Clusters.Contains(clusterName, StringComparer.Ordinal))
            {
                continue;
            }

            if (Members(clusterName) is not (IClusterSelector cluster, ClusterStatus status))
            {
                continue;
            }

            foreach (MemberStatus member in status.Members)
            {
                if (member.Address is null)
                {
                    continue;
                }

                var key = (clusterName, member.Id.ToUpperInvariant());
                present.Add(key);
                lock (_loops)
                {
                    if (_loops.TryGetValue(key, out Running? running) && running.Loop.Address == member.Address)
                    {
                        continue;
                    }

                    _ = running?.Stop();
                    var loop = new MemberProbeLoop(cluster, member.Id, member.Address, _prober, _options, _timeProvider, _logger);
                    _loops[key] = Running.Start(loop, FirstDelay(), stoppingToken);
                }
            }
        }

        lock (_loops)
        {
            foreach (var key in _loops.Keys.Where(k => !present.Contains(k)).ToArray())
            {
                _ = _loops[key].Stop();
                _loops.Remove(key);
            }
        }
    }

    private (IClusterSelector, ClusterStatus)? Members(string clusterName)
    {
        try
        {
            IClusterSelector cluster = _provider.GetCluster(clusterName);
            return (cluster, cluster.GetStatus());
        }
        // Stryker disable once Block : an emptied catch block returns default, the same null it returns
        catch (ObjectDisposedException)
        {
            return null; // removed at runtime
        }
        // Stryker disable once Block : an emptied catch block returns default, the same null it returns
        catch (ArgumentException)
        {
            return null; // removed between reading the names and resolving it
        }
        catch (Exception ex) when (ex is OptionsValidationException or InvalidOperationException)
        {
            lock (_warned)
            {
                if (_warned.Add(clusterName))
                {
                    ProbeLog.ClusterNotProbed(_logger, clusterName, ex.Message);
                }
            }

            return null;
        }
    }

    // The first probe soon, but not at the same moment on every router.
    private TimeSpan FirstDelay() => _options.Interval * (_options.Jitter * Random.Shared.NextDouble());

    private sealed class Running(MemberProbeLoop loop, CancellationTokenSource stop, Task task)
    {
        public MemberProbeLoop Loop => loop;

        public static Running Start(MemberProbeLoop loop, TimeSpan firstDelay, CancellationToken stoppingToken)
        {
            var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            Task task = Task.Run(() => loop.RunAsync(firstDelay, stop.Token), CancellationToken.None);
            return new Running(loop, stop, task);
        }

        public async Task Stop()
        {
            // Stryker disable once Boolean : Stop runs only from ExecuteAsync (itself or through Reconcile), on the thread pool, where there is no SynchronizationContext to return to
            await stop.CancelAsync().ConfigureAwait(false);

            // Stryker disable once Boolean : Stop runs only from ExecuteAsync (itself or through Reconcile), on the thread pool, where there is no SynchronizationContext to return to
            await task.ConfigureAwait(false);

            // Stryker disable once Statement : the linked source has no timer; disposing it only drops its registration on the stopping token, which no public API shows
            stop.Dispose();
        }
    }
}
