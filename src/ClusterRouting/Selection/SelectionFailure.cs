namespace ClusterRouting;

/// <summary>
/// Why a selection found no member, returned by <see cref="IClusterSelector.TrySelect(out MemberLease, out SelectionFailure)"/>
/// without throwing or allocating. It reads the cluster snapshot that the selection used, so the reasons are the ones
/// that applied to that selection.
/// </summary>
public readonly struct SelectionFailure
{
    private readonly ClusterSnapshot? _snapshot;

    internal SelectionFailure(ClusterSnapshot snapshot)
    {
        _snapshot = snapshot;
    }

    /// <summary>Gets a value indicating whether this value describes a failed selection (<see langword="false"/> for <c>default</c>).</summary>
    public bool IsFailure => _snapshot is not null;

    /// <summary>Gets the name of the cluster the selection ran on.</summary>
    public string ClusterName => _snapshot?.ClusterName ?? string.Empty;

    /// <summary>Gets how many members the cluster had for that selection; one rejection per member.</summary>
    public int MemberCount => _snapshot?.Members.Length ?? 0;

    /// <summary>Gets the rejection of the member at <paramref name="index"/> in failover order.</summary>
    /// <param name="index">The member's position, from 0 (the primary) to <see cref="MemberCount"/> - 1.</param>
    /// <returns>The member's id and why it was not used.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the member list.</exception>
    public MemberRejection GetRejection(int index)
    {
        if (_snapshot is null || (uint)index >= (uint)_snapshot.Members.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "The index must name a member of the failed selection.");
        }

        SnapshotMember member = _snapshot.Members[index];

        // A member the snapshot did not exclude was still refused by the per-selection check: its concurrency slot.
        MemberRejectionReason reason = member.Rejection == MemberRejectionReason.None
            ? MemberRejectionReason.ConcurrencyLimit
            : member.Rejection;
        return new MemberRejection(member.Id, reason);
    }

    /// <summary>Builds the exception that the throwing selection methods raise for this failure.</summary>
    /// <returns>A <see cref="NoMemberAvailableException"/> that lists every member and why it was not used.</returns>
    /// <exception cref="InvalidOperationException">This value is <c>default</c>, not a failure.</exception>
    public NoMemberAvailableException ToException()
    {
        if (_snapshot is null)
        {
            throw new InvalidOperationException("A default SelectionFailure describes no failure.");
        }

        var rejections = new MemberRejection[_snapshot.Members.Length];
        for (int i = 0; i < rejections.Length; i++)
        {
            rejections[i] = GetRejection(i);
        }

        return new NoMemberAvailableException(_snapshot.ClusterName, rejections);
    }

    /// <inheritdoc />
    public override string ToString() => _snapshot is null ? "No failure" : NoMemberAvailableException.Describe(ClusterName, ToException().Rejections);
}
