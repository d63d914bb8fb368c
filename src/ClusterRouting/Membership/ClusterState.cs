using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace ClusterRouting;

/// <summary>
/// The cold-path state of one cluster: the lock every change takes, the published snapshot, the settings in force, the
/// deadline timer and the diagnostics. <see cref="Begin"/> starts a change; its commit (<see cref="Commit_NeedsLock"/>)
/// brings every member up to date, publishes and arms the timer, the same way for every operation.
/// </summary>
internal sealed class ClusterState : IObservableCluster, IDisposable
{
    private readonly DeadlineTimer _timer;
    private readonly ClusterChange _change;
    private readonly Action<ClusterSnapshot> _published;
    private readonly ClusterRoutingInstruments _instruments;
    private ClusterSnapshot _snapshot;
    private volatile ClusterSettings _settings;
    private ClusterOptions _appliedOptions = new();
    private long _nextDeadlineTicks = long.MaxValue;
    private bool _allThrottled;
    private bool _disposed;

    // Members removed while leases on them were still out, by id: one added back (by AddMember or a reload) before its
    // leases end is the same member, so its leases keep counting against its limit.
    private readonly Dictionary<string, MemberState> _retired = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the state of a cluster with no members; the constructor's first change adds them.</summary>
    /// <param name="clusterName">The cluster's name.</param>
    /// <param name="mode">The mode of the empty first snapshot.</param>
    /// <param name="settings">The settings in force.</param>
    /// <param name="timeProvider">The clock and the timers.</param>
    /// <param name="logger">Where events are written.</param>
    /// <param name="meterFactory">Creates the meter, if any.</param>
    /// <param name="published">
    /// Receives every snapshot as it is published, under the lock: the façade keeps the hot path's own copy of the
    /// reference, so a selection reads it in one load.
    /// </param>
    public ClusterState(string clusterName, SelectionMode mode, ClusterSettings settings, TimeProvider timeProvider, ILogger logger, IMeterFactory? meterFactory, Action<ClusterSnapshot> published)
    {
        ClusterName = clusterName;
        Clock = new ClusterClock(timeProvider);
        Failures = new CallbackFailures(clusterName, logger);
        Events = new ClusterEventLog(clusterName, logger, Failures);
        _instruments = ClusterRoutingInstruments.For(meterFactory);
        Metrics = new ClusterMetrics(clusterName, _instruments, Failures);
        _timer = new DeadlineTimer(timeProvider, OnDeadline, ex => Failures.Report(CallbackKind.Timer, ex));
        _settings = settings;
        _snapshot = new ClusterSnapshot(clusterName, [], mode, Clock);
        _published = published;
        published(_snapshot);
        _change = new ClusterChange(this);
        _instruments.Register(this);
    }

    public string ClusterName { get; }

    public ClusterClock Clock { get; }

    public CallbackFailures Failures { get; }

    public ClusterEventLog Events { get; }

    public ClusterMetrics Metrics { get; }

    public OfflinePenaltyTracker Penalties { get; } = new();

    /// <summary>Gets the snapshot selections read: lock-free.</summary>
    public ClusterSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Gets the settings in force; replaced, under the lock, by a reconfiguration.</summary>
    public ClusterSettings Settings => _settings;

    /// <summary>
    /// Gets whether the earliest moment a member's verdict or health can change without new data has passed: read
    /// lock-free by a selection about to fail, which then brings the cluster up to date instead of waiting for the timer.
    /// </summary>
    public bool IsDeadlinePassed
    {
        get
        {
            long due = Volatile.Read(ref _nextDeadlineTicks);
            return due != long.MaxValue && due <= Clock.Now.Ticks;
        }
    }

    /// <summary>Gets the deadline the timer is armed for (for tests). Read under the lock.</summary>
    internal TimeSpan? TimerDue
    {
        get
        {
            lock (Gate)
            {
                return _timer.Due;
            }
        }
    }

    internal Lock Gate { get; } = new();

    internal bool IsDisposed_NeedsLock => _disposed;

    /// <summary>Starts a change: takes the lock. Dispose the change to commit it.</summary>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    public ClusterChange Begin() => _change.Start(throwIfDisposed: true);

    /// <summary>
    /// Brings the cluster up to date now (penalties that ended, verdicts whose deadline passed), as the timer would: for
    /// a selection about to fail after a deadline passed, however late the timer is.
    /// </summary>
    /// <returns>Whether selections see a new snapshot.</returns>
    public bool CatchUp()
    {
        ClusterSnapshot before = Snapshot;
        if (Gate.IsHeldByCurrentThread)
        {
            return false;
        }

        using (_change.Start(throwIfDisposed: false))
        {
        }

        return !ReferenceEquals(before, Snapshot);
    }

    /// <summary>Lists the members and their state now, after bringing the cluster up to date.</summary>
    public ClusterStatus GetStatus()
    {
        using (Begin())
        {
        }

        lock (Gate)
        {
            return new ClusterStatus(_snapshot, Clock.TimeProvider.GetUtcNow());
        }
    }

    /// <summary>Keeps a removed member while leases on it are out, so that it is the same member if it comes back.</summary>
    public void Retire_NeedsLock(MemberState member)
    {
        PruneRetired_NeedsLock();
        if (member.Slots.InFlight > 0)
        {
            _retired[member.Id] = member;
        }
    }

    /// <summary>The removed member with <paramref name="id"/> whose leases are still out, taken back; otherwise a new member.</summary>
    public MemberState Revive_NeedsLock(string id)
    {
        PruneRetired_NeedsLock();
        if (_retired.TryGetValue(id, out MemberState? member))
        {
            _retired.Remove(id);
            return member;
        }

        return new MemberState(id);
    }

    /// <summary>Replaces the settings in force. Called under the lock by a reconfiguration that has computed everything else.</summary>
    /// <param name="settings">The settings of <paramref name="options"/>.</param>
    /// <param name="options">A copy of the options applied, which <see cref="CurrentOptions"/> starts from.</param>
    public void SetSettings_NeedsLock(ClusterSettings settings, ClusterOptions options)
    {
        _settings = settings;
        _appliedOptions = options;
    }

    /// <summary>The cluster as options: the settings last applied, and the members and mode it has now (runtime changes included).</summary>
    public ClusterOptions CurrentOptions()
    {
        lock (Gate)
        {
            ClusterOptions current = _appliedOptions.Clone();
            current.Members.Clear();
            foreach (SnapshotMember member in _snapshot.Members)
            {
                current.Members.Add(new ClusterMemberOptions(member.Id, member.Version, member.Enabled) { Address = member.State.Address, Weight = member.Weight });
            }

            current.Mode = _snapshot.Mode;
            return current;
        }
    }

    /// <summary>Evaluates a member's throttle policies at <paramref name="now"/> and keeps the verdict.</summary>
    /// <returns>Whether selections must see the new verdict.</returns>
    public bool Reevaluate_NeedsLock(MemberState member, TimeSpan now, List<ClusterEvent> events)
    {
        MemberVerdict verdict = _settings.Throttling.Evaluate(member.Id, member.Throttle, ignoreSamples: false, member.Slots.InFlight, now, events, Failures);
        return member.Throttle.Apply_NeedsLock(verdict, member.Id, events);
    }

    /// <summary>
    /// Commits a change: every member is brought up to date at <paramref name="now"/> (a penalty that ended opens its
    /// probe, a verdict whose deadline passed is evaluated again, a slow start takes its next step); then the snapshot is published if anything selections
    /// see changed, and the timer is armed for the next deadline, which is then always in the future.
    /// </summary>
    /// <param name="replacement">The new membership or mode, if the change made one.</param>
    /// <param name="republish">Whether a member's verdict or health changed in a way selections must see.</param>
    /// <param name="now">The change's clock.</param>
    /// <param name="events">The change's events.</param>
    public void Commit_NeedsLock(ClusterSnapshot? replacement, bool republish, TimeSpan now, List<ClusterEvent> events)
    {
        ClusterSnapshot next = replacement ?? _snapshot;
        foreach (SnapshotMember member in next.Members)
        {
            republish |= OfflinePenaltyTracker.Advance_NeedsLock(member.State, now, events);
            republish |= member.State.SlowStart.Advance_NeedsLock(now, _settings.SlowStart);
            if (member.State.Throttle.Verdict.Deadline <= now)
            {
                republish |= Reevaluate_NeedsLock(member.State, now, events);
            }
        }

        if (republish)
        {
            next = next.Republished();
        }

        if (!ReferenceEquals(next, _snapshot))
        {
            Publish_NeedsLock(next, events);
        }

        // From the members' own state, not the snapshot's copy: a verdict whose loads or deadline changed is kept
        // without a new snapshot, since selections would not route differently.
        TimeSpan? due = NextDeadline_NeedsLock(next);
        Volatile.Write(ref _nextDeadlineTicks, due?.Ticks ?? long.MaxValue);
        _timer.Arm_NeedsLock(due, now);
    }

    /// <summary>Stops the timer and detaches the cluster from the metrics; selections fail with <see cref="ObjectDisposedException"/> from now on.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _timer.Dispose();
            Volatile.Write(ref _snapshot, _snapshot.Disposed());
            _published(_snapshot);
        }

        _instruments.Unregister(this);
    }

    SnapshotMember[] IObservableCluster.ObservedMembers => Snapshot.Members;

    private void Publish_NeedsLock(ClusterSnapshot next, List<ClusterEvent> events)
    {
        // Before the snapshot is visible: a selection that reads it must find each member ready for its limit.
        PrepareForLimits(next.Eligible);
        PrepareForLimits(next.Deferred);
        Volatile.Write(ref _snapshot, next);
        _published(next);
        bool allThrottled = next.Eligible.Length == 0 && next.Deferred.Length == 0 && Array.Exists(next.Members, static m => m.Enabled);
        if (allThrottled != _allThrottled)
        {
            _allThrottled = allThrottled;
            if (allThrottled)
            {
                events.Add(new AllMembersThrottledEvent(next.Members.Length));
            }
        }
    }

    private void PruneRetired_NeedsLock()
    {
        if (_retired.Count == 0)
        {
            return;
        }

        foreach (MemberState member in _retired.Values.ToArray())
        {
            if (member.Slots.InFlight == 0)
            {
                _retired.Remove(member.Id);
            }
        }
    }

    private static TimeSpan? NextDeadline_NeedsLock(ClusterSnapshot snapshot)
    {
        TimeSpan? due = null;
        foreach (SnapshotMember member in snapshot.Members)
        {
            due = TimeMath.Earliest(due, TimeMath.Earliest(member.State.Throttle.Verdict.Deadline, member.State.Penalty.Deadline));
            due = TimeMath.Earliest(due, member.State.SlowStart.Deadline);
        }

        return due;
    }

    private static void PrepareForLimits(Candidate[] candidates)
    {
        foreach (Candidate candidate in candidates)
        {
            candidate.Slots.PrepareForLimit(candidate.ConcurrencyLimit);
        }
    }

    private void OnDeadline()
    {
        // A provider that calls back on the thread that is arming the timer finds the lock held: that change commits
        // at the same moment anyway.
        CatchUp();
    }
}
