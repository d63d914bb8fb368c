namespace ClusterRouting;

/// <summary>
/// Routes operations to the members of one cluster: what a component that sends work to the cluster needs. Selections
/// are lock-free and allocate nothing; reports of what happened on a member (its load, a refusal, an offline or a
/// successful attempt) feed the cluster's view of its members. Membership and mode are changed through
/// <see cref="IClusterAdministration"/>.
/// </summary>
public interface IClusterSelector
{
    /// <summary>Gets the cluster's name, used in errors, logs and metrics.</summary>
    string ClusterName { get; }

    /// <summary>Gets how the cluster chooses among its eligible members.</summary>
    SelectionMode Mode { get; }

    /// <summary>Gets how many members the cluster has, enabled or not.</summary>
    int MemberCount { get; }

    /// <summary>Selects a member for one operation without throwing or allocating, when the reasons for a failure are not needed.</summary>
    /// <param name="lease">On success, the lease on the chosen member: dispose it when the operation ends.</param>
    /// <returns><see langword="true"/> when a member was selected.</returns>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    bool TrySelect(out MemberLease lease);

    /// <summary>
    /// Selects a member for one operation without throwing or allocating. This is the hot path: it reads the cluster's
    /// snapshot, takes a slot on the member the mode chooses and returns a lease, or says why no member could take it.
    /// </summary>
    /// <remarks>
    /// A selection sees the membership and verdicts published when it started: one that starts after a change
    /// (<see cref="IClusterAdministration.SetMemberEnabled"/>, a lowered limit) returned sees the change; one already
    /// running may still finish under the state before it.
    /// </remarks>
    /// <param name="lease">On success, the lease on the chosen member: dispose it when the operation ends.</param>
    /// <param name="failure">On failure, why each member could not take the operation, as decided by this selection.</param>
    /// <returns><see langword="true"/> when a member was selected.</returns>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    bool TrySelect(out MemberLease lease, out SelectionFailure failure);

    /// <summary>
    /// Selects a member other than those in <paramref name="excludedMemberIds"/>, without throwing or allocating: for
    /// an operation that runs again elsewhere (its attempt on a member failed, or a hedge starts beside it), as
    /// <see cref="ExecuteAsync{TResult}(Func{MemberLease, CancellationToken, ValueTask{TResult}}, CancellationToken)"/>
    /// does between its attempts. The excluded members are passed over as if they could not take the operation; the
    /// others are chosen as the mode says.
    /// </summary>
    /// <param name="excludedMemberIds">The ids of members not to select, compared ignoring case; may be empty.</param>
    /// <param name="lease">On success, the lease on the chosen member: dispose it when the operation ends.</param>
    /// <param name="failure">On failure, why each member could not take the operation; an excluded member reports the reason it had before any per-selection check (disabled, throttled), otherwise <see cref="MemberRejectionReason.None"/>.</param>
    /// <returns><see langword="true"/> when a member was selected.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="excludedMemberIds"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    bool TrySelect(IReadOnlyList<string> excludedMemberIds, out MemberLease lease, out SelectionFailure failure);

    /// <summary>Selects a member for one operation, or throws when none can take it.</summary>
    /// <returns>The lease on the chosen member: dispose it when the operation ends.</returns>
    /// <exception cref="NoMemberAvailableException">No member can take the operation; the exception says why for each member (<see cref="ClusterThrottledException"/> when every enabled member is throttled).</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    MemberLease Select();

    /// <summary>
    /// Selects the primary (the first member) for an operation that only the primary may run, without throwing or
    /// allocating. Fails when the primary is disabled, throttled or at its concurrency limit; a penalized primary is
    /// still tried, since no other member may take the operation.
    /// </summary>
    /// <param name="lease">On success, the lease on the primary.</param>
    /// <param name="failure">On failure, why the primary (and each other member) could not take it; <see cref="SelectionFailure.IsPrimaryOnly"/> is set.</param>
    /// <returns><see langword="true"/> when the primary was selected.</returns>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    bool TrySelectPrimary(out MemberLease lease, out SelectionFailure failure);

    /// <summary>Selects the primary for an operation that only the primary may run, or throws.</summary>
    /// <returns>The lease on the primary.</returns>
    /// <exception cref="PrimaryUnavailableException">The primary can't take the operation; the exception says why.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    MemberLease SelectPrimary();

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
#pragma warning disable RS0026 // The overloads differ in arity and in the first parameter's type, so no call binds to both; the rule only stops firing once they ship.
    ValueTask<TResult> ExecuteAsync<TResult>(Func<MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default);
#pragma warning restore RS0026

    /// <summary>
    /// Runs an operation on a selected member with failover, passing <paramref name="state"/> to it so that the
    /// operation needs no closure: a first attempt that succeeds synchronously allocates nothing. See
    /// <see cref="ExecuteAsync{TResult}(Func{MemberLease, CancellationToken, ValueTask{TResult}}, CancellationToken)"/>.
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
#pragma warning disable RS0026 // See ExecuteAsync<TResult>.
    ValueTask<TResult> ExecuteAsync<TState, TResult>(TState state, Func<TState, MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default);
#pragma warning restore RS0026

    /// <summary>
    /// Runs an operation that only the primary may run on the primary, reporting the attempt's outcome as
    /// <see cref="ExecuteAsync{TResult}(Func{MemberLease, CancellationToken, ValueTask{TResult}}, CancellationToken)"/>
    /// does, but never on another member. A penalized primary admits one attempt at a time (its probe), so a run that
    /// finds the primary back restores it, and the others fail fast with <see cref="PrimaryUnavailableException"/>
    /// until then.
    /// </summary>
    /// <typeparam name="TResult">The operation's result.</typeparam>
    /// <param name="operation">The operation; it receives the lease on the primary and the cancellation token.</param>
    /// <param name="cancellationToken">Cancels the run: checked before the attempt and passed to the operation.</param>
    /// <returns>The operation's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="PrimaryUnavailableException">The primary can't take the operation (disabled, throttled, at its limit, or penalized with its probe taken).</exception>
    /// <exception cref="AllMembersFailedException">The attempt on the primary found it offline or refused.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
#pragma warning disable RS0026 // See ExecuteAsync<TResult>.
    ValueTask<TResult> ExecutePrimaryAsync<TResult>(Func<MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs an operation that only the primary may run on the primary, passing <paramref name="state"/> to it. See
    /// <see cref="ExecutePrimaryAsync{TResult}(Func{MemberLease, CancellationToken, ValueTask{TResult}}, CancellationToken)"/>.
    /// </summary>
    /// <typeparam name="TState">The state's type.</typeparam>
    /// <typeparam name="TResult">The operation's result.</typeparam>
    /// <param name="state">The state passed to the operation.</param>
    /// <param name="operation">The operation.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The operation's result.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="operation"/> is <see langword="null"/>.</exception>
    /// <exception cref="PrimaryUnavailableException">The primary can't take the operation.</exception>
    /// <exception cref="AllMembersFailedException">The attempt on the primary found it offline or refused.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    ValueTask<TResult> ExecutePrimaryAsync<TState, TResult>(TState state, Func<TState, MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default);
#pragma warning restore RS0026

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
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    bool ReportUtilization(string memberId, double cpuPercent, double memoryPercent);

    /// <summary>
    /// Records that a member refused an operation because it is over one of its own limits (the gateway answers with
    /// "... it's exceeded the CPU limit set by your gateway admin ..."). For its CPU or memory limit, selections route
    /// around the member until the cool-down ends. For its concurrency limit (the member is full, other routers share
    /// it), this cluster keeps on the member at most the operations it had in flight there less the refused one until
    /// the cool-down ends, and routes around it only when that leaves none: each router keeps its share of a full member
    /// instead of every router leaving it for the same next member at once. This keeps several routers in front of one
    /// cluster correct: each router's counters see only its own traffic, but every router hears the member's refusals.
    /// </summary>
    /// <param name="memberId">The member's id, compared ignoring case.</param>
    /// <param name="limit">The limit the member refused for: <see cref="ThrottleLimitKind.Cpu"/>, <see cref="ThrottleLimitKind.Memory"/> or <see cref="ThrottleLimitKind.Concurrency"/>.</param>
    /// <param name="coolDown">How long to route around the member; <see cref="ClusterOptions.MemberRefusalCoolDown"/> when <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the member was found; <see langword="false"/> when the cluster has no member with that id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="memberId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is empty or whitespace.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not CPU, memory or concurrency, or <paramref name="coolDown"/> is not greater than zero.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    bool ReportRefusal(string memberId, ThrottleLimitKind limit, TimeSpan? coolDown = null);

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
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    bool ReportOffline(string memberId);

    /// <summary>
    /// Records that an operation on a member succeeded. A penalized or probing member is restored at once (in failover
    /// mode a restored primary gets traffic back from the next selection on) and its offline count starts again.
    /// For a member that is online this costs two reads and takes no lock.
    /// </summary>
    /// <param name="memberId">The member's id, compared ignoring case.</param>
    /// <returns><see langword="true"/> when the member was found; <see langword="false"/> when the cluster has no member with that id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="memberId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is empty or whitespace.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    bool ReportSuccess(string memberId);

    /// <summary>
    /// Records what an active health probe of a member found, so that probes and operations shape one view of the
    /// member. Offline: the member is penalized as <see cref="ReportOffline"/> does, but the probe is not counted as an
    /// attempt wasted on it. Online: a penalized or probing member is restored (and ramps up, as after a successful
    /// operation, when <see cref="ClusterOptions.SlowStartWindow"/> is set), the CPU and memory it reported (when it
    /// reported both: a member's own averages over its window) replace the samples the cluster held for it, and the
    /// version it reported replaces the one the cluster knew (a difference between members logs the version-skew
    /// warning).
    /// A probe takes none of the member's concurrency slots.
    /// </summary>
    /// <param name="memberId">The member's id, compared ignoring case.</param>
    /// <param name="result">What the probe found.</param>
    /// <returns><see langword="true"/> when the member was found; <see langword="false"/> when the cluster has no member with that id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="memberId"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="memberId"/> is empty or whitespace.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    bool ReportProbe(string memberId, MemberProbeResult result);

    /// <summary>Lists the cluster's members and their state at this moment.</summary>
    /// <returns>A status that does not change after it is returned.</returns>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    ClusterStatus GetStatus();
}
