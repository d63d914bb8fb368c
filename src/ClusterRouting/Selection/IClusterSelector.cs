namespace ClusterRouting;

/// <summary>Chooses the member of a cluster that takes each operation.</summary>
public interface IClusterSelector
{
    /// <summary>Gets the cluster's name.</summary>
    string ClusterName { get; }

    /// <summary>
    /// Selects a member for one operation without throwing or allocating. This is the hot path.
    /// </summary>
    /// <param name="lease">On success, the lease on the chosen member: dispose it when the operation ends.</param>
    /// <param name="failure">On failure, why each member could not take the operation.</param>
    /// <returns><see langword="true"/> when a member was selected.</returns>
    bool TrySelect(out MemberLease lease, out SelectionFailure failure);

    /// <summary>Selects a member for one operation, or throws when none can take it.</summary>
    /// <returns>The lease on the chosen member: dispose it when the operation ends.</returns>
    /// <exception cref="NoMemberAvailableException">No member can take the operation; the exception says why for each member.</exception>
    MemberLease Select();

    /// <summary>Selects the primary for an operation that only the primary may run, without throwing or allocating.</summary>
    /// <param name="lease">On success, the lease on the primary.</param>
    /// <param name="failure">On failure, why the primary could not take it.</param>
    /// <returns><see langword="true"/> when the primary was selected.</returns>
    bool TrySelectPrimary(out MemberLease lease, out SelectionFailure failure);

    /// <summary>Selects the primary for an operation that only the primary may run, or throws.</summary>
    /// <returns>The lease on the primary.</returns>
    /// <exception cref="PrimaryUnavailableException">The primary can't take the operation.</exception>
    MemberLease SelectPrimary();

    /// <summary>Runs an operation on a selected member, failing over to the next candidate when a member is offline or refuses.</summary>
    /// <typeparam name="TResult">The operation's result.</typeparam>
    /// <param name="operation">The operation.</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <returns>The result of the first attempt that succeeded.</returns>
    ValueTask<TResult> ExecuteAsync<TResult>(Func<MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default);

    /// <summary>Records a CPU and memory sample for a member.</summary>
    /// <param name="memberId">The member's id.</param>
    /// <param name="cpuPercent">The CPU utilization, 0 to 100.</param>
    /// <param name="memoryPercent">The memory utilization, 0 to 100.</param>
    /// <returns><see langword="true"/> when the member was found.</returns>
    bool ReportUtilization(string memberId, double cpuPercent, double memoryPercent);

    /// <summary>Records that a member refused an operation for one of its own limits.</summary>
    /// <param name="memberId">The member's id.</param>
    /// <param name="limit">The limit it refused for.</param>
    /// <param name="coolDown">How long to route around it; the cluster's default when <see langword="null"/>.</param>
    /// <returns><see langword="true"/> when the member was found.</returns>
    bool ReportRefusal(string memberId, ThrottleLimitKind limit, TimeSpan? coolDown = null);

    /// <summary>Records that an attempt on a member found it offline.</summary>
    /// <param name="memberId">The member's id.</param>
    /// <returns><see langword="true"/> when the member was found.</returns>
    bool ReportOffline(string memberId);

    /// <summary>Records that an operation on a member succeeded.</summary>
    /// <param name="memberId">The member's id.</param>
    /// <returns><see langword="true"/> when the member was found.</returns>
    bool ReportSuccess(string memberId);

    /// <summary>Lists the cluster's members and their state at this moment.</summary>
    /// <returns>A status that does not change after it is returned.</returns>
    ClusterStatus GetStatus();
}
