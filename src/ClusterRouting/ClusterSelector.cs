using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterRouting;

/// <summary>
/// A cluster of members and the selector that routes operations to them. Selections are lock-free and allocate
/// nothing; reports and membership changes take a lock, fold what changed into a new immutable snapshot and publish it
/// atomically, so they can run while other threads select.
/// </summary>
/// <remarks>
/// Dispose the cluster when it is no longer needed: that stops its timer. Leases taken before end as usual; every other
/// member then throws <see cref="ObjectDisposedException"/>, except <see cref="ClusterName"/>, <see cref="Mode"/> and
/// <see cref="MemberCount"/>. Clusters resolved from a container are disposed with it.
/// </remarks>
/// <example>
/// <code>
/// using var cluster = new ClusterSelector("refresh", new ClusterOptions
/// {
///     Members = { new("gw-1"), new("gw-2"), new("gw-3") },
///     Mode = SelectionMode.Failover,
///     CPUUtilizationPercentageThreshold = 80,
/// });
/// cluster.ReportUtilization("gw-1", cpuPercent: 91, memoryPercent: 40);
/// using MemberLease lease = cluster.Select(); // gw-2: gw-1 is over its CPU limit
/// Send(lease.MemberId);
/// </code>
/// </example>
public sealed class ClusterSelector : IClusterSelector, IClusterAdministration, IDisposable
{
    private readonly ClusterState _state;
    private readonly SnapshotSelection _selection;

    // The hot path's copy of the published snapshot, written by ClusterState under its lock (one load per selection).
    private ClusterSnapshot _snapshot = null!;

    /// <summary>Initializes a new instance of the <see cref="ClusterSelector"/> class.</summary>
    /// <param name="clusterName">The cluster's name, used in errors, logs and metrics.</param>
    /// <param name="options">The members in failover order, the selection mode and the throttling settings. The selector copies them: later changes to this object have no effect.</param>
    /// <param name="timeProvider">The clock for utilization windows, cool-downs and penalties; <see cref="TimeProvider.System"/> when <see langword="null"/>. A clock that steps back is clamped.</param>
    /// <param name="randomSource">The randomness for <see cref="SelectionMode.Random"/> and for breaking ties in <see cref="SelectionMode.LeastLoaded"/>; <see cref="RandomSource.Shared"/> when <see langword="null"/>.</param>
    /// <param name="logger">Where warnings (version skew, more than 10 members, failing policies) and changes are logged.</param>
    /// <param name="meterFactory">Creates the <c>ClusterRouting</c> meter; without one the cluster records on a meter of its own, which a <see cref="MeterListener"/> can still observe.</param>
    /// <exception cref="ArgumentNullException"><paramref name="clusterName"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="clusterName"/> is empty or whitespace, or <paramref name="options"/> is invalid; the message lists every problem.</exception>
    public ClusterSelector(
        string clusterName,
        ClusterOptions options,
        TimeProvider? timeProvider = null,
        RandomSource? randomSource = null,
        ILogger? logger = null,
        IMeterFactory? meterFactory = null)
    {
        Guard.NotNullOrWhiteSpace(clusterName);
        Guard.NotNull(options);
        ClusterOptionsValidation.ThrowIfInvalid(clusterName, options, nameof(options));
        ClusterSettings settings = ClusterSettings.From(options);
        _state = new ClusterState(clusterName, options.Mode, settings, timeProvider ?? TimeProvider.System, logger ?? NullLogger.Instance, meterFactory, Publish);
        _selection = new SnapshotSelection(randomSource is null or RandomSource.SharedRandomSource ? null : randomSource, _state.Metrics, _state.Events);
        Reports = new MemberReports(_state);
        using ClusterChange change = _state.Begin();
        MembershipEditor.Reconfigure(change, options, settings, initial: true);
    }

    /// <inheritdoc cref="IClusterSelector.ClusterName" />
    public string ClusterName => _state.ClusterName;

    /// <inheritdoc cref="IClusterAdministration.Mode" />
    public SelectionMode Mode
    {
        get => Volatile.Read(ref _snapshot).Mode;
        set
        {
            if (!Guard.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The mode must be Failover, Random, RoundRobin or LeastLoaded.");
            }

            using ClusterChange change = _state.Begin();
            MembershipEditor.SetMode(change, value);
        }
    }

    /// <inheritdoc />
    public int MemberCount => Volatile.Read(ref _snapshot).Members.Length;

    internal ClusterState State => _state;

    /// <inheritdoc />
    public bool TrySelect(out MemberLease lease, out SelectionFailure failure) => TrySelect(default(NoFilter), out lease, out failure);

    /// <inheritdoc />
    public bool TrySelect(out MemberLease lease)
    {
        lease = Select(default(NoFilter));
        return lease.IsAcquired;
    }

    /// <inheritdoc />
    public bool TrySelect(IReadOnlyList<string> excludedMemberIds, out MemberLease lease, out SelectionFailure failure)
    {
        Guard.NotNull(excludedMemberIds);

        // Stryker disable once Conditional : an empty list excludes nothing, so ExcludeIds allows every member as NoFilter does: the shortcut only spares the filter's calls (the mark also covers the variant that ignores the list, which ExcludedMembersSelectionTests refute)
        return excludedMemberIds.Count == 0
            ? TrySelect(default(NoFilter), out lease, out failure)
            : TrySelect(new ExcludeIds(excludedMemberIds), out lease, out failure);
    }

    /// <inheritdoc />
    public MemberLease Select()
    {
        if (TrySelect(out MemberLease lease, out SelectionFailure failure))
        {
            return lease;
        }

        throw failure.ToException();
    }

    internal bool TrySelect<TFilter>(TFilter filter, out MemberLease lease, out SelectionFailure failure)
        where TFilter : struct, ICandidateFilter
    {
        lease = Select(filter, out failure);
        return lease.IsAcquired;
    }

    /// <summary>
    /// Selects for a hedge: a member that can take the operation now (enabled, not throttled, under its limit) and that
    /// <paramref name="filter"/> allows, in the mode's order; never a penalized member, and no failure value.
    /// </summary>
    internal bool TrySelectHedge<TFilter>(TFilter filter, out MemberLease lease)
        where TFilter : struct, ICandidateFilter
    {
        ClusterSnapshot snapshot = Volatile.Read(ref _snapshot);
        snapshot.ThrowIfDisposed();
        lease = _selection.Take(snapshot, filter);
        if (!lease.IsAcquired && CaughtUp())
        {
            lease = _selection.Take(Volatile.Read(ref _snapshot), filter);
        }

        return lease.IsAcquired;
    }

    /// <summary>The selection itself: the lease, or <c>default</c> with <paramref name="failure"/> saying why.</summary>
    /// <remarks>
    /// Returned by value rather than through an <see langword="out"/> parameter: a return buffer is always on the
    /// stack, so writing the lease's references needs no GC write barrier, and the small public wrappers inline into
    /// their callers.
    /// </remarks>
    internal MemberLease Select<TFilter>(TFilter filter, out SelectionFailure failure)
        where TFilter : struct, ICandidateFilter
    {
        ClusterSnapshot snapshot = Volatile.Read(ref _snapshot);
        MemberLease lease = _selection.Take(snapshot, filter);
        if (lease.IsAcquired)
        {
            failure = default;
            return lease;
        }

        return SelectAfterMiss(snapshot, filter, out failure);
    }

    /// <summary>The selection when the caller does not need the failure: the lease, or <c>default</c>.</summary>
    /// <remarks>Its frame holds no <see cref="SelectionFailure"/> (which would be cleared on every call): the miss path has its own.</remarks>
    internal MemberLease Select<TFilter>(TFilter filter)
        where TFilter : struct, ICandidateFilter
    {
        ClusterSnapshot snapshot = Volatile.Read(ref _snapshot);
        MemberLease lease = _selection.Take(snapshot, filter);
        return lease.IsAcquired ? lease : SelectAfterMiss(snapshot, filter);
    }

    /// <inheritdoc />
    public bool TrySelectPrimary(out MemberLease lease, out SelectionFailure failure)
    {
        ClusterSnapshot snapshot = Volatile.Read(ref _snapshot);
        lease = _selection.TakePrimary(snapshot);
        if (!lease.IsAcquired && !snapshot.IsDisposed && CaughtUp())
        {
            snapshot = Volatile.Read(ref _snapshot);
            lease = _selection.TakePrimary(snapshot);
        }

        if (lease.IsAcquired)
        {
            failure = default;
            return true;
        }

        failure = _selection.Failed(snapshot, primaryOnly: true, default(NoFilter));
        return false;
    }

    /// <inheritdoc />
    public MemberLease SelectPrimary()
    {
        if (TrySelectPrimary(out MemberLease lease, out SelectionFailure failure))
        {
            return lease;
        }

        throw failure.ToException();
    }

#pragma warning disable RS0026 // Two ExecuteAsync overloads with an optional token: see IClusterSelector.
    /// <inheritdoc />
    public ValueTask<TResult> ExecuteAsync<TResult>(Func<MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        return FailoverExecution.ExecuteAsync(this, operation, static (op, lease, ct) => op(lease, ct), primaryOnly: false, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<TResult> ExecuteAsync<TState, TResult>(TState state, Func<TState, MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        return FailoverExecution.ExecuteAsync(this, state, operation, primaryOnly: false, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<TResult> ExecutePrimaryAsync<TResult>(Func<MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        return FailoverExecution.ExecuteAsync(this, operation, static (op, lease, ct) => op(lease, ct), primaryOnly: true, cancellationToken);
    }

    /// <inheritdoc />
    public ValueTask<TResult> ExecutePrimaryAsync<TState, TResult>(TState state, Func<TState, MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        return FailoverExecution.ExecuteAsync(this, state, operation, primaryOnly: true, cancellationToken);
    }
#pragma warning restore RS0026

    /// <inheritdoc />
    public bool ReportUtilization(string memberId, double cpuPercent, double memoryPercent)
    {
        Guard.NotNullOrWhiteSpace(memberId);
        Guard.Percentage(cpuPercent);
        Guard.Percentage(memoryPercent);
        return Reports.Utilization(memberId, cpuPercent, memoryPercent);
    }

    /// <inheritdoc />
    public bool ReportRefusal(string memberId, ThrottleLimitKind limit, TimeSpan? coolDown = null)
    {
        Guard.NotNullOrWhiteSpace(memberId);
        if (!ThrottleLimits.IsRefusable(limit))
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "A member refuses for its CPU, memory or concurrency limit.");
        }

        if (coolDown <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(coolDown), coolDown, "The cool-down must be greater than zero.");
        }

        MemberState? member = Find(memberId);
        if (member is not null)
        {
            Reports.Refusal(member, limit, coolDown);
        }

        return member is not null;
    }

    /// <inheritdoc />
    public bool ReportOffline(string memberId)
    {
        Guard.NotNullOrWhiteSpace(memberId);
        MemberState? member = Find(memberId);
        if (member is not null)
        {
            Reports.Offline(member);
        }

        return member is not null;
    }

    /// <inheritdoc />
    public bool ReportSuccess(string memberId)
    {
        Guard.NotNullOrWhiteSpace(memberId);
        MemberState? member = Find(memberId);
        if (member is not null)
        {
            Reports.Success(member);
        }

        return member is not null;
    }

    /// <inheritdoc />
    public bool ReportProbe(string memberId, MemberProbeResult result)
    {
        Guard.NotNullOrWhiteSpace(memberId);
        MemberState? member = Find(memberId);
        if (member is not null)
        {
            Reports.Probe(member, result);
        }

        return member is not null;
    }

    /// <inheritdoc cref="IClusterSelector.GetStatus" />
    public ClusterStatus GetStatus() => _state.GetStatus();

    /// <inheritdoc />
    public void AddMember(string id, string? version = null, bool enabled = true)
    {
        Guard.NotNullOrWhiteSpace(id);
        using ClusterChange change = _state.Begin();
        MembershipEditor.Add(change, new ClusterMemberOptions(id, version, enabled), nameof(id));
    }

    /// <inheritdoc />
    public void AddMember(ClusterMemberOptions member)
    {
        Guard.NotNull(member);
        ClusterMemberOptions copy = member.Clone();
        if (string.IsNullOrWhiteSpace(copy.Id))
        {
            throw new ArgumentException("The member's Id must not be null, empty or whitespace.", nameof(member));
        }

        using ClusterChange change = _state.Begin();
        MembershipEditor.Add(change, copy, nameof(member));
    }

    /// <inheritdoc />
    public bool RemoveMember(string id)
    {
        Guard.NotNullOrWhiteSpace(id);
        using ClusterChange change = _state.Begin();
        return MembershipEditor.Remove(change, id);
    }

    /// <inheritdoc />
    public bool SetMemberEnabled(string id, bool enabled)
    {
        Guard.NotNullOrWhiteSpace(id);
        using ClusterChange change = _state.Begin();
        return MembershipEditor.SetEnabled(change, id, enabled);
    }

    /// <inheritdoc />
    public void Reconfigure(ClusterOptions options)
    {
        Guard.NotNull(options);
        ClusterOptionsValidation.ThrowIfInvalid(ClusterName, options, nameof(options));
        ClusterSettings settings = ClusterSettings.From(options);
        using ClusterChange change = _state.Begin();
        MembershipEditor.Reconfigure(change, options, settings);
    }

    /// <summary>Stops the cluster's timer and detaches it from the metrics. Leases taken before end as usual. Later calls do nothing.</summary>
    public void Dispose() => _state.Dispose();

    internal Func<Exception, bool>? IsOfflineException => _state.Settings.IsOfflineException;

    /// <summary>Gets what applies a report about a member (also an execution's attempt outcomes) to the cluster's state.</summary>
    internal MemberReports Reports { get; }

    private MemberState? Find(string memberId)
    {
        ClusterSnapshot snapshot = Volatile.Read(ref _snapshot);
        snapshot.ThrowIfDisposed();
        return snapshot.Find(memberId);
    }

    private void Publish(ClusterSnapshot snapshot) => Volatile.Write(ref _snapshot, snapshot);

    /// <summary>
    /// No eligible member took the operation. A deadline that passed without the timer running yet (a busy thread
    /// pool) is honoured first, and the eligible members tried again; then the penalized members, in order, rather than
    /// failing without trying them; otherwise the failure, as decided now.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private MemberLease SelectAfterMiss<TFilter>(ClusterSnapshot missed, TFilter filter, out SelectionFailure failure)
        where TFilter : struct, ICandidateFilter
    {
        ClusterSnapshot snapshot = missed;
        MemberLease lease = default;
        if (!missed.IsDisposed && CaughtUp())
        {
            snapshot = Volatile.Read(ref _snapshot);
            lease = _selection.Take(snapshot, filter);
        }

        if (!lease.IsAcquired)
        {
            lease = _selection.TakeDeferred(snapshot, filter);
        }

        if (lease.IsAcquired)
        {
            failure = default;
            return lease;
        }

        failure = _selection.Failed(snapshot, primaryOnly: false, filter);
        return default;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private MemberLease SelectAfterMiss<TFilter>(ClusterSnapshot missed, TFilter filter)
        where TFilter : struct, ICandidateFilter => SelectAfterMiss(missed, filter, out _);

    /// <summary>Whether a deadline has passed and bringing the cluster up to date changed what selections see.</summary>
    private bool CaughtUp() => _state.IsDeadlinePassed && _state.CatchUp();
}
