namespace ClusterRouting;

/// <summary>
/// Changes a cluster's membership and settings at runtime: what an operator's tool or an admin endpoint needs (the
/// gateway's management screen and scripts: enable or disable a member, add or remove one, change the routing).
/// Every change is safe while other threads select: it is applied in one step, and a selection sees either the
/// cluster before it or after it.
/// </summary>
/// <remarks>
/// A selection that starts after one of these methods returned sees the change; a selection already running may still
/// finish under the state before it (its lease is an ordinary lease and ends as usual).
/// </remarks>
public interface IClusterAdministration
{
    /// <summary>Gets the cluster's name.</summary>
    string ClusterName { get; }

    /// <summary>
    /// Gets or sets how the cluster chooses among its eligible members. Setting it takes effect for the next selection
    /// (the gateway's "Distribute requests across all active gateways in this cluster" switch).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="SelectionMode"/>.</exception>
    /// <exception cref="ObjectDisposedException">The value is set after the cluster was disposed.</exception>
    SelectionMode Mode { get; set; }

    /// <summary>Adds a member at the end of the failover order.</summary>
    /// <param name="id">The member's id: non-empty and unique in the cluster, ignoring case.</param>
    /// <param name="version">The version the member runs, when known.</param>
    /// <param name="enabled">Whether the member may be selected.</param>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty, whitespace, or already used by a member of the cluster.</exception>
    /// <exception cref="ClusterCapacityExceededException">The cluster already has <see cref="ClusterLimits.MaxMembers"/> (10) or more members.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    void AddMember(string id, string? version = null, bool enabled = true);

    /// <summary>Adds a member at the end of the failover order, with its address when it has one.</summary>
    /// <param name="member">The member: an id that is non-empty and unique in the cluster (ignoring case), and an optional absolute http or https <see cref="ClusterMemberOptions.Address"/>. The cluster copies it.</param>
    /// <exception cref="ArgumentNullException"><paramref name="member"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The id is empty, whitespace or already used by a member of the cluster, or the address is not an absolute http or https address.</exception>
    /// <exception cref="ClusterCapacityExceededException">The cluster already has <see cref="ClusterLimits.MaxMembers"/> (10) or more members.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    void AddMember(ClusterMemberOptions member);

    /// <summary>
    /// Removes a member. Selections that started before may still choose it; leases on it end cleanly. When the primary
    /// is removed, the next member becomes the primary.
    /// </summary>
    /// <param name="id">The member's id, compared ignoring case.</param>
    /// <returns><see langword="true"/> when the member was found and removed; <see langword="false"/> when the cluster has no member with that id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or whitespace.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    bool RemoveMember(string id);

    /// <summary>
    /// Enables or disables a member. No selection that starts after this method returns picks a disabled member;
    /// enabling it makes it eligible for the next selection. Leases already taken on a member that is disabled end as
    /// usual (wait for <see cref="MemberStatus.InFlight"/> to reach 0 to drain it).
    /// </summary>
    /// <param name="id">The member's id, compared ignoring case.</param>
    /// <param name="enabled"><see langword="true"/> to enable the member, <see langword="false"/> to disable it.</param>
    /// <returns><see langword="true"/> when the member was found; <see langword="false"/> when the cluster has no member with that id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or whitespace.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    bool SetMemberEnabled(string id, bool enabled);

    /// <summary>
    /// Replaces the cluster's settings at once: members (added, removed, reordered, enabled, disabled, new versions),
    /// mode and throttling. Members that stay, matched by id ignoring case, keep their state (leases, utilization
    /// samples, refusals, penalties) and their id as first spelled. A new aggregation window starts every member's
    /// averages afresh; turning <see cref="ClusterOptions.TrackOfflineMembers"/> off ends every penalty. On invalid
    /// settings nothing changes.
    /// </summary>
    /// <param name="options">The new settings. The cluster copies them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message lists every problem and nothing was changed.</exception>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    void Reconfigure(ClusterOptions options);

    /// <summary>Lists the cluster's members and their state at this moment.</summary>
    /// <returns>A status that does not change after it is returned.</returns>
    /// <exception cref="ObjectDisposedException">The cluster was disposed.</exception>
    ClusterStatus GetStatus();
}
