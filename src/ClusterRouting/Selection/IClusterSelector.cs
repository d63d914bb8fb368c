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

    /// <summary>Lists the cluster's members and their state at this moment.</summary>
    /// <returns>A status that does not change after it is returned.</returns>
    ClusterStatus GetStatus();
}
