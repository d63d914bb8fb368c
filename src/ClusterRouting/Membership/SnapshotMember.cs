namespace ClusterRouting;

/// <summary>One member as a snapshot sees it: its definition, its state, and the verdict and health folded in when the snapshot was built.</summary>
internal sealed class SnapshotMember
{
    public SnapshotMember(MemberState state, string? version, bool enabled, int index)
    {
        State = state;
        Version = version;
        Enabled = enabled;
        Index = index;
        Verdict = state.Throttle.Verdict;
        Health = state.Penalty.Health;
        Rejection = enabled ? Verdict.Rejection : MemberRejectionReason.Disabled;
    }

    public MemberState State { get; }

    public string Id => State.Id;

    public string? Version { get; }

    public bool Enabled { get; }

    /// <summary>The position in failover order: 0 is the primary.</summary>
    public int Index { get; }

    /// <summary>The member's verdict when the snapshot was built.</summary>
    public MemberVerdict Verdict { get; }

    /// <summary>The member's health when the snapshot was built.</summary>
    public MemberHealth Health { get; }

    /// <summary>Why the snapshot excludes the member before any per-selection check, or <see cref="MemberRejectionReason.None"/>.</summary>
    public MemberRejectionReason Rejection { get; }

    /// <summary>The same definition at <paramref name="index"/> with the member's current verdict and health; this instance when nothing changed.</summary>
    public SnapshotMember Current(int index) =>
        index == Index && ReferenceEquals(Verdict, State.Throttle.Verdict) && Health == State.Penalty.Health
            ? this
            : new SnapshotMember(State, Version, Enabled, index);

    /// <summary>The same member, enabled or disabled.</summary>
    public SnapshotMember WithEnabled(bool enabled) => new(State, Version, enabled, Index);

    public SnapshotMember WithVersion(string? version) => new(State, version, Enabled, Index);
}
