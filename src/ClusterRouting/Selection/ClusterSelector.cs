using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterRouting;

/// <summary>
/// A cluster of members and the selector that routes operations to them. Selections are lock-free and allocate
/// nothing; membership changes, utilization reports and refusals take a lock, fold what changed into a new immutable
/// snapshot and publish it atomically, so they can run while other threads select.
/// </summary>
/// <example>
/// <code>
/// var cluster = new ClusterSelector("refresh", new ClusterOptions
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
public sealed class ClusterSelector : IClusterSelector
{
    private readonly Lock _gate = new();
    private readonly RandomSource _random;
    private readonly ILogger _logger;
    private readonly ClusterClock _clock;
    private ClusterSnapshot _snapshot;

    // One round-robin cursor per stripe (Stripes), each on its own cache line: a thread rotates on its stripe's
    // cursor, so concurrent selections write no shared counter. Each starts at the primary.
    private readonly int[] _roundRobinCursors = new int[Stripes.ArrayLength];

    private volatile ClusterSettings _settings;
    private ITimer? _timer;
    private TimeSpan? _timerDue;
    private long _throttlePolicyFailures;
    private readonly ClusterRoutingMetrics _metrics;
    private List<Action>? _pendingLogs;
    private bool _allThrottled;

    /// <summary>Initializes a new instance of the <see cref="ClusterSelector"/> class.</summary>
    /// <param name="clusterName">The cluster's name, used in errors, logs and metrics.</param>
    /// <param name="options">The members in failover order, the selection mode and the throttling settings. The selector copies them: later changes to this object have no effect.</param>
    /// <param name="timeProvider">The clock for utilization windows and cool-downs; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="randomSource">The randomness for <see cref="SelectionMode.Random"/>; <see cref="RandomSource.Shared"/> when <see langword="null"/>.</param>
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

        ClusterName = clusterName;
        _clock = new ClusterClock(timeProvider ?? TimeProvider.System);
        _random = randomSource ?? RandomSource.Shared;
        _logger = logger ?? NullLogger.Instance;
        _metrics = ClusterRoutingMetrics.For(meterFactory);
        _settings = ClusterSettings.From(options);

        lock (_gate)
        {
            _snapshot = BuildSnapshot_NeedsLock(options, previous: null);
            Schedule_NeedsLock();
        }

        FlushPendingLogs();
        LogShapeChange(previous: null, _snapshot);
    }

    /// <inheritdoc />
    public string ClusterName { get; }

    /// <summary>Gets the clock the cluster uses.</summary>
    public TimeProvider TimeProvider => _clock.TimeProvider;

    /// <summary>
    /// Gets or sets how the cluster chooses among its eligible members. Setting it takes effect for the next selection
    /// (the gateway's "Distribute requests across all active gateways in this cluster" switch).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="SelectionMode"/>.</exception>
    public SelectionMode Mode
    {
        get => Volatile.Read(ref _snapshot).Mode;
        set
        {
            if (!Guard.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The mode must be Failover, Random or RoundRobin.");
            }

            lock (_gate)
            {
                if (_snapshot.Mode == value)
                {
                    return;
                }

                Publish_NeedsLock(_snapshot.With(value));
            }

            Log.ModeChanged(_logger, ClusterName, value);
        }
    }

    /// <summary>Gets how many members the cluster has, enabled or not.</summary>
    public int MemberCount => Volatile.Read(ref _snapshot).Members.Length;

    /// <summary>
    /// Gets how many times a throttle policy threw while evaluating a member since the cluster was created.
    /// Each failure is also logged, and handled as <see cref="ClusterOptions.ThrottlePolicyFailureMode"/> says.
    /// </summary>
    public long ThrottlePolicyFailures => Interlocked.Read(ref _throttlePolicyFailures);

    internal ClusterSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <inheritdoc />
    public bool TrySelect(out MemberLease lease, out SelectionFailure failure) => TrySelect(default(NoFilter), out lease, out failure);

    /// <summary>Selects a member for one operation without throwing or allocating, when the reasons for a failure are not needed.</summary>
    /// <param name="lease">On success, the lease on the chosen member: dispose it when the operation ends.</param>
    /// <returns><see langword="true"/> when a member was selected.</returns>
    public bool TrySelect(out MemberLease lease)
    {
        lease = Select(default(NoFilter), out _);
        return lease.IsAcquired;
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
        Candidate[] candidates = snapshot.Eligible;
        LeaseThread local = LeaseThread.Current;
        int stripe = local.Stripe;
        Pick pick = snapshot.Mode switch
        {
            SelectionMode.Failover => FailoverSelection.Select(candidates, filter, stripe),
            SelectionMode.Random => RandomSelection.Select(candidates, _random, local, filter, stripe),
            _ => RoundRobinSelection.Select(candidates, ref _roundRobinCursors[Stripes.Offset(stripe)], filter, stripe),
        };

        if (!pick.IsTaken && snapshot.Deferred.Length > 0)
        {
            // Every member that is not penalized is busy or tried: penalized members are tried, in order, rather than
            // failing without trying them.
            candidates = snapshot.Deferred;
            pick = FailoverSelection.Select(candidates, filter, stripe);
        }

        if (pick.IsTaken)
        {
            Candidate candidate = candidates[pick.Position];
            var lease = new MemberLease(candidate.State, candidate.Index, pick.Stripe, pick.ProbeEpoch, local);
            failure = default;
            ClusterRoutingMetrics metrics = _metrics;
            if (metrics.SelectionsEnabled)
            {
                metrics.RecordSelected(ClusterName, candidate.State.Id);
            }

            if (metrics.InFlightEnabled)
            {
                metrics.RecordLease(ClusterName, candidate.State.Id, +1);
            }

            if (candidate.Index > 0 && snapshot.Mode == SelectionMode.Failover)
            {
                OnFailover(candidate.State, candidate.Index);
            }

            return lease;
        }

        failure = new SelectionFailure(snapshot);
        if (_metrics.FailuresEnabled)
        {
            _metrics.RecordFailed(ClusterName, failure);
        }

        return default;
    }

    /// <summary>
    /// Selects the primary (the first member) for an operation that only the primary may run, without throwing or
    /// allocating. Fails when the primary is disabled, throttled or at its concurrency limit; a penalized primary is
    /// still tried, since no other member may take the operation.
    /// </summary>
    /// <param name="lease">On success, the lease on the primary.</param>
    /// <param name="failure">On failure, why the primary (and each other member) could not take it; <see cref="SelectionFailure.IsPrimaryOnly"/> is set.</param>
    /// <returns><see langword="true"/> when the primary was selected.</returns>
    public bool TrySelectPrimary(out MemberLease lease, out SelectionFailure failure)
    {
        ClusterSnapshot snapshot = Volatile.Read(ref _snapshot);
        if (TryTakePrimary(snapshot.Eligible, out lease) || TryTakePrimary(snapshot.Deferred, out lease))
        {
            failure = default;
            if (_metrics.SelectionsEnabled)
            {
                _metrics.RecordSelected(ClusterName, lease.MemberId);
            }

            if (_metrics.InFlightEnabled)
            {
                _metrics.RecordLease(ClusterName, lease.MemberId, +1);
            }

            return true;
        }

        failure = new SelectionFailure(snapshot, primaryOnly: true);
        if (_metrics.FailuresEnabled)
        {
            _metrics.RecordFailed(ClusterName, failure);
        }

        return false;

        static bool TryTakePrimary(Candidate[] candidates, out MemberLease lease)
        {
            if (candidates.Length > 0 && candidates[0].Index == 0)
            {
                LeaseThread local = LeaseThread.Current;
                Pick pick = candidates[0].TryAcquire(local.Stripe, 0);
                if (pick.IsTaken)
                {
                    lease = new MemberLease(candidates[0].State, 0, pick.Stripe, pick.ProbeEpoch, local);
                    return true;
                }
            }

            lease = default;
            return false;
        }
    }

    /// <summary>Selects the primary for an operation that only the primary may run, or throws.</summary>
    /// <returns>The lease on the primary.</returns>
    /// <exception cref="PrimaryUnavailableException">The primary can't take the operation; the exception says why.</exception>
    public MemberLease SelectPrimary()
    {
        if (TrySelectPrimary(out MemberLease lease, out SelectionFailure failure))
        {
            return lease;
        }

        throw failure.ToException();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void OnFailover(MemberState member, int index)
    {
        if (_metrics.FailoversEnabled)
        {
            _metrics.RecordFailover(ClusterName, member.Id);
        }

        Log.FailedOver(_logger, ClusterName, member.Id, index);
    }

    /// <summary>
    /// Records that an attempt on a member failed because the member is offline. With
    /// <see cref="ClusterOptions.TrackOfflineMembers"/> on, the member is penalized: tried only after every eligible
    /// member that is not penalized, for <see cref="ClusterOptions.OfflinePenaltyBaseDuration"/> doubled for each
    /// further offline result in a row (up to <see cref="ClusterOptions.OfflinePenaltyMaxDuration"/>, with jitter).
    /// When the penalty ends, one probe operation at a time goes to the member.
    /// </summary>
    /// <param name="memberId">The member's id, compared ignoring case.</param>
    /// <returns><see langword="true"/> when the member was found; <see langword="false"/> when the cluster has no member with that id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="memberId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is empty or whitespace.</exception>
    public bool ReportOffline(string memberId)
    {
        Guard.NotNullOrWhiteSpace(memberId);
        MemberState? state = Find(memberId);
        if (state is null)
        {
            return false;
        }

        ReportOffline(state);
        return true;
    }

    /// <summary>
    /// Records that an operation on a member succeeded. A penalized or probing member is restored at once (in failover
    /// mode a restored primary gets traffic back from the next selection on) and its offline count starts again.
    /// For a member that is online this costs two reads and takes no lock.
    /// </summary>
    /// <param name="memberId">The member's id, compared ignoring case.</param>
    /// <returns><see langword="true"/> when the member was found; <see langword="false"/> when the cluster has no member with that id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="memberId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is empty or whitespace.</exception>
    public bool ReportSuccess(string memberId)
    {
        Guard.NotNullOrWhiteSpace(memberId);
        MemberState? state = Find(memberId);
        if (state is null)
        {
            return false;
        }

        ReportSuccess(state);
        return true;
    }

    internal void ReportSuccess(MemberState state)
    {
        if (state.Health == MemberHealth.Online && state.ConsecutiveFailures == 0)
        {
            return;
        }

        bool restored;
        lock (_gate)
        {
            restored = state.Health != MemberHealth.Online;
            state.ConsecutiveFailures = 0;
            state.Health = MemberHealth.Online;
            state.CloseProbe();
            if (restored && Contains_NeedsLock(state))
            {
                Refresh_NeedsLock();
                Schedule_NeedsLock();
            }
        }

        if (restored)
        {
            FlushPendingLogs();
            Log.PenaltyEnded(_logger, ClusterName, state.Id);
        }
    }

    internal void ReportOffline(MemberState state)
    {
        _metrics.RecordOfflineAttemptIfEnabled(ClusterName, state.Id);
        TimeSpan penalty;
        int failures;
        lock (_gate)
        {
            failures = state.ConsecutiveFailures + 1;
            state.ConsecutiveFailures = failures;
            if (!_settings.TrackOfflineMembers)
            {
                return;
            }

            TimeSpan now = _clock.Now;
            penalty = _settings.Penalty(failures, _random.Next(1_000_000) / 1_000_000.0);
            state.PenalizedUntil = TimeMath.Add(now, penalty);
            state.Health = MemberHealth.Penalized;
            state.CloseProbe();
            state.NextChangeAt = Earliest(state.NextChangeAt, state.PenalizedUntil);
            if (Contains_NeedsLock(state))
            {
                Refresh_NeedsLock();
                Schedule_NeedsLock();
            }
        }

        FlushPendingLogs();
        Log.PenaltyStarted(_logger, ClusterName, state.Id, failures, penalty);
    }

    private MemberState? Find(string memberId)
    {
        ClusterSnapshot snapshot = Volatile.Read(ref _snapshot);
        int index = snapshot.IndexOf(memberId);
        return index < 0 ? null : snapshot.Members[index].State;
    }

    private bool Contains_NeedsLock(MemberState state)
    {
        foreach (SnapshotMember member in _snapshot.Members)
        {
            if (ReferenceEquals(member.State, state))
            {
                return true;
            }
        }

        return false;
    }

    /// <inheritdoc />
    public ClusterStatus GetStatus()
    {
        lock (_gate)
        {
            return new ClusterStatus(_snapshot, TimeProvider.GetUtcNow());
        }
    }

    /// <summary>
    /// Records a CPU and memory sample for a member, as from a heartbeat or performance counters, timestamped now by
    /// the cluster's clock. The member's averages over the aggregation window are updated at once, and a member at or
    /// over a threshold is skipped from the next selection on.
    /// </summary>
    /// <param name="memberId">The member's id, compared ignoring case.</param>
    /// <param name="cpuPercent">The CPU utilization, 0 to 100.</param>
    /// <param name="memoryPercent">The memory utilization, 0 to 100.</param>
    /// <returns><see langword="true"/> when the member was found; <see langword="false"/> when the cluster has no member with that id (nothing is recorded).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="memberId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is empty or whitespace.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A percentage is negative, over 100 or NaN; nothing is recorded.</exception>
    public bool ReportUtilization(string memberId, double cpuPercent, double memoryPercent)
    {
        Guard.NotNullOrWhiteSpace(memberId);
        ThrowIfNotPercentage(cpuPercent, nameof(cpuPercent));
        ThrowIfNotPercentage(memoryPercent, nameof(memoryPercent));

        lock (_gate)
        {
            int index = _snapshot.IndexOf(memberId);
            if (index < 0)
            {
                return false;
            }

            MemberState state = _snapshot.Members[index].State;
            TimeSpan now = _clock.Now;
            state.Utilization ??= new UtilizationWindow(_settings.Window, ThrottlingDefaults.UtilizationBuckets);
            state.Utilization.Add(now, cpuPercent, memoryPercent);
            if (Evaluate_NeedsLock(state, now))
            {
                Refresh_NeedsLock();
            }

            Schedule_NeedsLock();
        }

        FlushPendingLogs();
        return true;
    }

    /// <summary>
    /// Records that a member refused an operation because it is over one of its own limits (the gateway answers with
    /// "... it's exceeded the CPU limit set by your gateway admin ..."). Selections route around the member until the
    /// cool-down ends. This keeps several routers in front of one cluster correct: each router's counters see only its
    /// own traffic, but every router hears the member's refusals.
    /// </summary>
    /// <param name="memberId">The member's id, compared ignoring case.</param>
    /// <param name="limit">The limit the member refused for: <see cref="ThrottleLimitKind.Cpu"/>, <see cref="ThrottleLimitKind.Memory"/> or <see cref="ThrottleLimitKind.Concurrency"/>.</param>
    /// <param name="coolDown">How long to route around the member; <see cref="ClusterOptions.MemberRefusalCoolDown"/> when <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the member was found; <see langword="false"/> when the cluster has no member with that id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="memberId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is empty or whitespace.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not CPU, memory or concurrency, or <paramref name="coolDown"/> is not greater than zero.</exception>
    public bool ReportRefusal(string memberId, ThrottleLimitKind limit, TimeSpan? coolDown = null)
    {
        Guard.NotNullOrWhiteSpace(memberId);
        if (limit is not (ThrottleLimitKind.Cpu or ThrottleLimitKind.Memory or ThrottleLimitKind.Concurrency))
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "A member refuses for its CPU, memory or concurrency limit.");
        }

        if (coolDown <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(coolDown), coolDown, "The cool-down must be greater than zero.");
        }

        MemberState? state = Find(memberId);
        if (state is null)
        {
            return false;
        }

        ReportRefusal(state, limit, coolDown);
        return true;
    }

    /// <summary>
    /// Runs an operation on a selected member. When the attempt fails because the member is offline
    /// (<see cref="MemberOfflineException"/>, or <see cref="ClusterOptions.IsOfflineException"/> says so) the member is
    /// penalized, and when it throws <see cref="MemberRefusedException"/> the member's refusal is recorded; either way
    /// the operation runs on the next candidate for the mode, never on the same member twice, until an attempt
    /// succeeds or no candidate is left. Any other exception is the operation's own: it propagates unchanged and is not
    /// retried. A success restores a penalized member.
    /// </summary>
    /// <typeparam name="TResult">The operation's result.</typeparam>
    /// <param name="operation">The operation; it receives the lease on the member to run on (use <see cref="MemberLease.MemberId"/>) and the cancellation token.</param>
    /// <param name="cancellationToken">Cancels the run: checked before each attempt and passed to the operation.</param>
    /// <returns>The result of the first attempt that succeeded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="NoMemberAvailableException">No member could be selected for the first attempt (<see cref="ClusterThrottledException"/> when every enabled member is throttled).</exception>
    /// <exception cref="AllMembersFailedException">Every member that could be tried was offline or refused; the exception lists each attempt.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public ValueTask<TResult> ExecuteAsync<TResult>(Func<MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        return FailoverExecution.ExecuteAsync(this, operation, static (op, lease, ct) => op(lease, ct), cancellationToken);
    }

    /// <summary>
    /// Runs an operation on a selected member with failover, passing <paramref name="state"/> to it so that the
    /// operation needs no closure. See <see cref="ExecuteAsync{TResult}(Func{MemberLease, CancellationToken, ValueTask{TResult}}, CancellationToken)"/>.
    /// </summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <typeparam name="TResult">The operation's result.</typeparam>
    /// <param name="state">The state passed to the operation.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The result of the first attempt that succeeded.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="NoMemberAvailableException">No member could be selected for the first attempt.</exception>
    /// <exception cref="AllMembersFailedException">Every member that could be tried was offline or refused.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public ValueTask<TResult> ExecuteAsync<TState, TResult>(TState state, Func<TState, MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default)
    {
        Guard.NotNull(operation);
        return FailoverExecution.ExecuteAsync(this, state, operation, cancellationToken);
    }

    internal Func<Exception, bool>? IsOfflineException => _settings.IsOfflineException;

    internal void ReportRefusal(MemberState state, ThrottleLimitKind limit, TimeSpan? coolDown)
    {
        TimeSpan appliedCoolDown;
        lock (_gate)
        {
            appliedCoolDown = coolDown ?? _settings.RefusalCoolDown;
            TimeSpan now = _clock.Now;
            state.RefusedFor = limit;
            state.RefusedUntil = TimeMath.Add(now, appliedCoolDown);
            if (Evaluate_NeedsLock(state, now) && Contains_NeedsLock(state))
            {
                Refresh_NeedsLock();
            }

            Schedule_NeedsLock();
        }

        Log.MemberRefused(_logger, ClusterName, state.Id, limit, appliedCoolDown);
        FlushPendingLogs();
    }

    /// <summary>Adds a member at the end of the failover order.</summary>
    /// <param name="id">The member's id: non-empty and unique in the cluster, ignoring case.</param>
    /// <param name="version">The version the member runs, when known.</param>
    /// <param name="enabled">Whether the member may be selected.</param>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty, whitespace, or already used by a member of the cluster.</exception>
    /// <exception cref="ClusterCapacityExceededException">The cluster already has <see cref="ClusterLimits.MaxMembers"/> (10) or more members.</exception>
    public void AddMember(string id, string? version = null, bool enabled = true)
    {
        Guard.NotNullOrWhiteSpace(id);
        ClusterSnapshot previous;
        ClusterSnapshot next;
        lock (_gate)
        {
            previous = _snapshot;
            SnapshotMember[] current = previous.Members;
            if (previous.IndexOf(id) >= 0)
            {
                throw new ArgumentException($"Cluster '{ClusterName}' already has a member with id '{id}' (member ids are compared ignoring case).", nameof(id));
            }

            if (current.Length >= ClusterLimits.MaxMembers)
            {
                throw new ClusterCapacityExceededException(ClusterName, current.Length);
            }

            var state = new MemberState(id, ClusterName, _metrics);
            Evaluate_NeedsLock(state, _clock.Now);
            var members = new SnapshotMember[current.Length + 1];
            Array.Copy(current, members, current.Length);
            members[current.Length] = new SnapshotMember(state, version, enabled, current.Length);
            next = previous.With(members);
            Publish_NeedsLock(next);
        }

        FlushPendingLogs();
        Log.MemberAdded(_logger, ClusterName, id, next.Members.Length - 1);
        LogShapeChange(previous, next);
    }

    /// <summary>
    /// Removes a member. Selections that already read the old membership may still choose it; leases on it end cleanly.
    /// When the primary is removed, the next member becomes the primary.
    /// </summary>
    /// <param name="id">The member's id, compared ignoring case.</param>
    /// <returns><see langword="true"/> when the member was found and removed; <see langword="false"/> when the cluster has no member with that id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or whitespace.</exception>
    public bool RemoveMember(string id)
    {
        Guard.NotNullOrWhiteSpace(id);
        ClusterSnapshot previous;
        ClusterSnapshot next;
        string removedId;
        lock (_gate)
        {
            previous = _snapshot;
            int index = previous.IndexOf(id);
            if (index < 0)
            {
                return false;
            }

            SnapshotMember[] current = previous.Members;
            removedId = current[index].Id;
            var members = new SnapshotMember[current.Length - 1];
            for (int i = 0, j = 0; i < current.Length; i++)
            {
                if (i != index)
                {
                    members[j] = current[i].Refresh(j);
                    j++;
                }
            }

            next = previous.With(members);
            Publish_NeedsLock(next);
            Schedule_NeedsLock();
        }

        FlushPendingLogs();
        Log.MemberRemoved(_logger, ClusterName, removedId);
        LogShapeChange(previous, next);
        return true;
    }

    /// <summary>Enables or disables a member. A disabled member is never selected; enabling it makes it eligible for the next selection.</summary>
    /// <param name="id">The member's id, compared ignoring case.</param>
    /// <param name="enabled"><see langword="true"/> to enable the member, <see langword="false"/> to disable it.</param>
    /// <returns><see langword="true"/> when the member was found; <see langword="false"/> when the cluster has no member with that id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or whitespace.</exception>
    public bool SetMemberEnabled(string id, bool enabled)
    {
        Guard.NotNullOrWhiteSpace(id);
        string memberId;
        lock (_gate)
        {
            ClusterSnapshot previous = _snapshot;
            int index = previous.IndexOf(id);
            if (index < 0)
            {
                return false;
            }

            SnapshotMember member = previous.Members[index];
            memberId = member.Id;
            if (member.Enabled == enabled)
            {
                return true;
            }

            var members = (SnapshotMember[])previous.Members.Clone();
            members[index] = new SnapshotMember(member.State, member.Version, enabled, index);
            Publish_NeedsLock(previous.With(members));
        }

        FlushPendingLogs();
        Log.MemberEnabledChanged(_logger, ClusterName, memberId, enabled ? "enabled" : "disabled");
        return true;
    }

    /// <summary>
    /// Replaces the cluster's settings at once: members (added, removed, reordered, enabled, disabled, new versions),
    /// mode and throttling. Members that stay, matched by id ignoring case, keep their state (leases, utilization
    /// samples, refusals) and their id as first spelled. A new aggregation window starts every member's averages
    /// afresh. On invalid settings nothing changes.
    /// </summary>
    /// <param name="options">The new settings. The selector copies them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message lists every problem and nothing was changed.</exception>
    public void Reconfigure(ClusterOptions options)
    {
        Guard.NotNull(options);
        ClusterOptionsValidation.ThrowIfInvalid(ClusterName, options, nameof(options));
        ClusterSettings settings = ClusterSettings.From(options);
        ClusterSnapshot previous;
        ClusterSnapshot next;
        lock (_gate)
        {
            previous = _snapshot;
            ClusterSettings oldSettings = _settings;
            bool newWindow = settings.Window != oldSettings.Window;
            UtilizationWindow?[] oldWindows = Array.ConvertAll(previous.Members, m => m.State.Utilization);
            MemberVerdict[] oldVerdicts = Array.ConvertAll(previous.Members, m => m.State.Verdict);
            int pendingBefore = _pendingLogs?.Count ?? 0;
            _settings = settings;
            if (newWindow)
            {
                foreach (SnapshotMember member in previous.Members)
                {
                    member.State.Utilization = null;
                }
            }

            try
            {
                next = BuildSnapshot_NeedsLock(options, previous);
            }
            catch
            {
                // Leave the cluster exactly as it was: the settings, the samples, the verdicts and the queued events.
                _settings = oldSettings;
                _pendingLogs?.RemoveRange(pendingBefore, _pendingLogs.Count - pendingBefore);
                for (int i = 0; i < previous.Members.Length; i++)
                {
                    previous.Members[i].State.Utilization = oldWindows[i];
                    previous.Members[i].State.Verdict = oldVerdicts[i];
                }

                throw;
            }

            Publish_NeedsLock(next);
            Schedule_NeedsLock();
        }

        FlushPendingLogs();
        LogShapeChange(previous, next);
    }

    private static void ThrowIfNotPercentage(double value, string paramName)
    {
        if (double.IsNaN(value) || value < 0 || value > 100)
        {
            throw new ArgumentOutOfRangeException(paramName, value, "A utilization percentage must be between 0 and 100.");
        }
    }

    private static MemberRejectionReason ReasonFor(ThrottleLimitKind kind) => kind switch
    {
        ThrottleLimitKind.Cpu => MemberRejectionReason.CpuLimit,
        ThrottleLimitKind.Memory => MemberRejectionReason.MemoryLimit,
        ThrottleLimitKind.Concurrency => MemberRejectionReason.ConcurrencyLimit,
        _ => MemberRejectionReason.PolicyLimit,
    };

    private static void OnTimer(object? state)
    {
        if (state is WeakReference<ClusterSelector> reference && reference.TryGetTarget(out ClusterSelector? cluster))
        {
            cluster.OnDeadline();
        }
    }

    private void OnDeadline()
    {
        lock (_gate)
        {
            _timerDue = null;
            TimeSpan now = _clock.Now;
            bool changed = false;
            foreach (SnapshotMember member in _snapshot.Members)
            {
                changed |= Evaluate_NeedsLock(member.State, now);
            }

            if (changed)
            {
                Refresh_NeedsLock();
            }

            Schedule_NeedsLock();
        }

        FlushPendingLogs();
    }

    private ClusterSnapshot BuildSnapshot_NeedsLock(ClusterOptions options, ClusterSnapshot? previous)
    {
        TimeSpan now = _clock.Now;
        var members = new SnapshotMember[options.Members.Count];
        for (int i = 0; i < members.Length; i++)
        {
            ClusterMemberOptions member = options.Members[i];
            int existing = previous?.IndexOf(member.Id) ?? -1;
            MemberState state = existing >= 0 ? previous!.Members[existing].State : new MemberState(member.Id, ClusterName, _metrics);
            Evaluate_NeedsLock(state, now);
            members[i] = new SnapshotMember(state, member.Version, member.Enabled, i);
        }

        return new ClusterSnapshot(ClusterName, members, options.Mode, _clock);
    }

    /// <summary>Evaluates the member's refusal and policies at <paramref name="now"/>; returns whether selections must change.</summary>
    private bool Evaluate_NeedsLock(MemberState state, TimeSpan now)
    {
        UtilizationWindow.Aggregate aggregate = state.Utilization?.Compute(now) ?? default;
        var load = new MemberLoad(state.Id, aggregate.CpuPercent, aggregate.MemoryPercent, aggregate.SampleCount, _settings.Window, aggregate.ExpiresAt - now, state.InFlight);

        MemberRejectionReason rejection = MemberRejectionReason.None;
        string? rejectedBy = null;
        TimeSpan? retryAt = null;
        if (state.RefusedUntil > now)
        {
            rejection = ReasonFor(state.RefusedFor);
            retryAt = state.RefusedUntil;
        }

        int limit = int.MaxValue;
        MemberRejectionReason limitReason = MemberRejectionReason.ConcurrencyLimit;
        string? limitPolicy = null;
        foreach (ThrottlePolicy policy in _settings.Policies)
        {
            ThrottleDecision decision;
            try
            {
                decision = policy.Evaluate(in load);
            }
#pragma warning disable CA1031 // A custom policy's failure must not break the cluster: it is logged, counted and handled by the failure mode.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _throttlePolicyFailures);
                ThrottlePolicyFailureMode mode = _settings.FailureMode;
                string policyName = SafeName(policy);
                (_pendingLogs ??= new()).Add(() => Log.ThrottlePolicyFailed(_logger, ex, ClusterName, state.Id, policyName, mode));
                decision = mode == ThrottlePolicyFailureMode.FailClosed ? ThrottleDecision.Throttle() : ThrottleDecision.Admit;
            }

            if (decision.IsThrottled && rejection == MemberRejectionReason.None)
            {
                rejection = ReasonFor(policy.Kind);
                rejectedBy = policy.Kind == ThrottleLimitKind.Custom ? SafeName(policy) : null;
                retryAt = decision.RetryAfter is TimeSpan retryAfter ? TimeMath.Add(now, retryAfter) : null;
            }

            if (decision.ConcurrencyLimit < limit)
            {
                limit = decision.ConcurrencyLimit;
                limitReason = ReasonFor(policy.Kind);
                limitPolicy = policy.Kind == ThrottleLimitKind.Custom ? SafeName(policy) : null;
            }
        }

        bool healthChanged = false;
        if (state.Health == MemberHealth.Penalized && state.PenalizedUntil <= now)
        {
            state.Health = MemberHealth.Probing;
            state.OpenProbe();
            healthChanged = true;
            string probed = state.Id;
            (_pendingLogs ??= new()).Add(() => Log.ProbeOpened(_logger, ClusterName, probed));
        }

        var verdict = new MemberVerdict(rejection, rejectedBy, retryAt, limit, limitReason, limitPolicy, aggregate.CpuPercent, aggregate.MemoryPercent);
        MemberVerdict previous = state.Verdict;
        state.NextChangeAt = Earliest(
            Earliest(aggregate.ExpiresAt, state.RefusedUntil > now ? state.RefusedUntil : null),
            state.Health == MemberHealth.Penalized ? state.PenalizedUntil : null);
        if (previous.Equals(verdict))
        {
            return healthChanged;
        }

        state.Verdict = verdict;
        if (previous.Rejection != rejection)
        {
            string id = state.Id;
            (_pendingLogs ??= new()).Add(rejection == MemberRejectionReason.None
                ? () => Log.MemberUnthrottled(_logger, ClusterName, id)
                : () => Log.MemberThrottled(_logger, ClusterName, id, rejection));
        }

        return healthChanged || !previous.RoutesLike(verdict);
    }

    private static string SafeName(ThrottlePolicy policy)
    {
        try
        {
            return policy.Name ?? policy.GetType().Name;
        }
#pragma warning disable CA1031 // The name is only for messages; a throwing getter must not break evaluation.
        catch (Exception)
#pragma warning restore CA1031
        {
            return policy.GetType().Name;
        }
    }

    private static TimeSpan? Earliest(TimeSpan? left, TimeSpan? right) =>
        left is null ? right : right is null ? left : left < right ? left : right;

    private void Refresh_NeedsLock()
    {
        SnapshotMember[] current = _snapshot.Members;
        var members = new SnapshotMember[current.Length];
        for (int i = 0; i < members.Length; i++)
        {
            members[i] = current[i].Refresh(i);
        }

        Publish_NeedsLock(_snapshot.With(members));
    }

    /// <summary>Arms the timer for the earliest moment a member's verdict can change without new data.</summary>
    private void Schedule_NeedsLock()
    {
        TimeSpan? due = null;
        foreach (SnapshotMember member in _snapshot.Members)
        {
            due = Earliest(due, member.State.NextChangeAt);
        }

        if (due == _timerDue)
        {
            return;
        }

        if (due is not TimeSpan at)
        {
            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timerDue = null;
            return;
        }

        TimeSpan wait = at - _clock.Now;
        if (wait < TimeSpan.Zero)
        {
            wait = TimeSpan.Zero;
        }

        // Timers take at most about 49.7 days: a later deadline is re-armed when the capped wait ends.
        if (wait > TimeMath.MaxTimerWait)
        {
            wait = TimeMath.MaxTimerWait;
        }

        if (_timer is null)
        {
            _timer = TimeProvider.CreateTimer(OnTimer, new WeakReference<ClusterSelector>(this), wait, Timeout.InfiniteTimeSpan);
        }
        else
        {
            _timer.Change(wait, Timeout.InfiniteTimeSpan);
        }

        _timerDue = due;
    }

    private void Publish_NeedsLock(ClusterSnapshot next)
    {
        // Before the snapshot is visible: a selection that reads it must find each member ready for its limit.
        PrepareForLimits(next.Eligible);
        PrepareForLimits(next.Deferred);
        Volatile.Write(ref _snapshot, next);
        bool allThrottled = next.Eligible.Length == 0 && next.Deferred.Length == 0 && Array.Exists(next.Members, m => m.Enabled);
        if (allThrottled != _allThrottled)
        {
            _allThrottled = allThrottled;
            if (allThrottled)
            {
                int count = next.Members.Length;
                (_pendingLogs ??= new()).Add(() => Log.AllMembersThrottled(_logger, ClusterName, count));
            }
        }
    }

    private static void PrepareForLimits(Candidate[] candidates)
    {
        foreach (Candidate candidate in candidates)
        {
            candidate.State.PrepareForLimit(candidate.Limit);
        }
    }

    /// <summary>Writes the log events that changes made under the lock queued; called after the lock is released.</summary>
    private void FlushPendingLogs()
    {
        List<Action>? pending;
        lock (_gate)
        {
            pending = _pendingLogs;
            _pendingLogs = null;
        }

        if (pending is not null)
        {
            foreach (Action log in pending)
            {
                log();
            }
        }
    }

    private void LogShapeChange(ClusterSnapshot? previous, ClusterSnapshot next)
    {
        int count = next.Members.Length;
        if (count > ClusterLimits.MaxMembers && (previous is null || previous.Members.Length <= ClusterLimits.MaxMembers))
        {
            Log.MemberLimitExceeded(_logger, ClusterName, count, ClusterLimits.MaxMembers);
        }

        if (next.Versions.Length > 1 && (previous is null || !SameVersions(previous.Versions, next.Versions)))
        {
            Log.VersionSkew(_logger, ClusterName, string.Join(", ", next.Versions));
        }
    }

    private static bool SameVersions(string[] left, string[] right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        foreach (string version in left)
        {
            if (!right.Contains(version, StringComparer.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
