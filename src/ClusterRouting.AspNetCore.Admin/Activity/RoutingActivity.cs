using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ClusterRouting.Admin.Contract;
using T = ClusterRouting.ClusterRoutingTelemetry;

namespace ClusterRouting.Admin;

/// <summary>
/// What routing did over the last minute, per cluster and per member, gathered by a <see cref="MeterListener"/> on the
/// ClusterRouting meter: selections, failovers, refusals, offline attempts and selections no member could take. Only
/// the meters of one <see cref="IMeterFactory"/> are counted (the application's, which its clusters use), so that other
/// containers in the process, with clusters of the same names, do not mix in.
/// </summary>
/// <remarks>
/// The callbacks run on the threads that select, inside the engine's guarded recording, and take one short lock per
/// window they count in. Refusals are counted from <c>cluster_routing.refusals</c>, whoever reported them
/// (<c>ExecuteAsync</c>, the HTTP handler, a direct <c>ReportRefusal</c>).
/// </remarks>
internal sealed class RoutingActivity : IDisposable
{
    private readonly ConcurrentDictionary<string, ClusterWindows> _clusters = new(StringComparer.Ordinal);
    private readonly object? _scope;
    private readonly TimeProvider _time;
    private readonly int _windowSeconds;
    private readonly object _startGate = new();
    private MeterListener? _listener;
    private bool _disposed;

    /// <param name="meterFactory">The factory whose ClusterRouting meters count, or <see langword="null"/> for the meters created without one.</param>
    /// <param name="time">The clock that puts counts in their second.</param>
    /// <param name="windowSeconds">The window, in seconds.</param>
    public RoutingActivity(IMeterFactory? meterFactory, TimeProvider time, int windowSeconds = AdminDefaults.ActivityWindowSeconds)
    {
        _scope = meterFactory;
        _time = time;
        _windowSeconds = windowSeconds;
    }

    /// <summary>Starts listening; later calls do nothing.</summary>
    public void Start()
    {
        lock (_startGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_listener is not null)
            {
                return;
            }

            var listener = new MeterListener { InstrumentPublished = OnInstrumentPublished };
            listener.SetMeasurementEventCallback<long>(OnMeasurement);
            listener.SetMeasurementEventCallback<double>(OnMeasurement);
            _listener = listener;
            listener.Start();
        }
    }

    /// <summary>
    /// The counts of a cluster over the window, and of each of <paramref name="memberIds"/> that has any. Members not
    /// among them (removed from the cluster) are forgotten, so that member churn does not accumulate.
    /// </summary>
    public ClusterActivitySnapshot Read(string clusterName, IReadOnlyCollection<string> memberIds)
    {
        long now = Now();
        var members = new Dictionary<string, RoutingActivityCounts>(StringComparer.OrdinalIgnoreCase);
        if (!_clusters.TryGetValue(clusterName, out ClusterWindows? windows))
        {
            return new ClusterActivitySnapshot(Empty(), members);
        }

        foreach (string id in memberIds)
        {
            if (windows.Members.TryGetValue(id, out ActivityWindow? window))
            {
                members[id] = window.Read(now);
            }
        }

        foreach (string id in windows.Members.Keys)
        {
            if (!members.ContainsKey(id))
            {
                windows.Members.TryRemove(id, out _);
            }
        }

        return new ClusterActivitySnapshot(windows.Cluster.Read(now), members);
    }

    /// <summary>Forgets the clusters not among <paramref name="clusterNames"/> (removed at runtime).</summary>
    public void Retain(IReadOnlyCollection<string> clusterNames)
    {
        foreach (string name in _clusters.Keys)
        {
            if (!clusterNames.Contains(name))
            {
                _clusters.TryRemove(name, out _);
            }
        }
    }

    /// <summary>The counts of a window with nothing in it.</summary>
    public RoutingActivityCounts Empty() => new(_windowSeconds, 0, 0, 0, 0, 0);

    public void Dispose()
    {
        lock (_startGate)
        {
            _disposed = true;
            _listener?.Dispose();
            _listener = null;
        }
    }

    private long Now() => _time.GetTimestamp() / _time.TimestampFrequency;

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        if (instrument.Meter.Name != T.MeterName || !ReferenceEquals(instrument.Meter.Scope, _scope))
        {
            return;
        }

        switch (instrument.Name)
        {
            case T.Selections:
            case T.Failovers:
            case T.OfflineAttempts:
            case T.Refusals:
                listener.EnableMeasurementEvents(instrument);
                break;
        }
    }

    private void OnMeasurement<TValue>(Instrument instrument, TValue value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        where TValue : struct
    {
        string? cluster = null;
        string? member = null;
        string? selectionOutcome = null;
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            switch (tag.Key)
            {
                case T.ClusterTag:
                    cluster = tag.Value as string;
                    break;
                case T.MemberTag:
                    member = tag.Value as string;
                    break;
                case T.SelectionOutcomeTag:
                    selectionOutcome = tag.Value as string;
                    break;
            }
        }

        if (cluster is null)
        {
            return;
        }

        ActivityKind kind;
        switch (instrument.Name)
        {
            case T.Selections:
                kind = selectionOutcome == "selected" ? ActivityKind.Selection : ActivityKind.FailedSelection;
                break;
            case T.Failovers:
                kind = ActivityKind.Failover;
                break;
            case T.OfflineAttempts:
                kind = ActivityKind.OfflineAttempt;
                break;
            case T.Refusals:
                kind = ActivityKind.Refusal;
                break;
            default:
                return;
        }

        Record(cluster, kind == ActivityKind.FailedSelection ? null : member, kind);
    }

    private void Record(string cluster, string? member, ActivityKind kind)
    {
        long now = Now();
        ClusterWindows windows = _clusters.GetOrAdd(cluster, static (_, seconds) => new ClusterWindows(seconds), _windowSeconds);
        windows.Cluster.Record(kind, now);
        if (member is not null)
        {
            windows.Members.GetOrAdd(member, static (_, seconds) => new ActivityWindow(seconds), _windowSeconds).Record(kind, now);
        }
    }

    private sealed class ClusterWindows(int windowSeconds)
    {
        public ActivityWindow Cluster { get; } = new(windowSeconds);

        // Member ids are compared ignoring case, as the engine compares them.
        public ConcurrentDictionary<string, ActivityWindow> Members { get; } = new(StringComparer.OrdinalIgnoreCase);
    }
}
