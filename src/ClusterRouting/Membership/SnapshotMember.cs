namespace ClusterRouting;

/// <summary>One member as a snapshot sees it: its definition, its state, and the verdict and health folded in when the snapshot was built.</summary>
internal sealed class SnapshotMember
{
    public SnapshotMember(MemberState state, string? version, bool enabled, int index, int weight = MemberWeights.Default)
    {
        State = state;
        Version = version;
        Enabled = enabled;
        Index = index;
        Weight = weight;
        Verdict = state.Throttle.Verdict;
        Health = state.Penalty.Health;
        SlowStartShare = state.SlowStart.Share;
        Rejection = enabled ? Verdict.Rejection : MemberRejectionReason.Disabled;
    }

    public MemberState State { get; }

    public string Id => State.Id;

    public string? Version { get; }

    public bool Enabled { get; }

    /// <summary>The member's configured weight (<see cref="ClusterMemberOptions.Weight"/>).</summary>
    public int Weight { get; }

    /// <summary>The member's slow-start share when the snapshot was built, in thousandths (<see cref="SlowStartSchedule.Full"/> when not ramping).</summary>
    public int SlowStartShare { get; }

    /// <summary>How many operations selections let the member have in flight: its verdict's limit, scaled by its slow start.</summary>
    public int ConcurrencyLimit => SlowStartSchedule.Cap(Verdict.ConcurrencyLimit, SlowStartShare);

    /// <summary>The member's share in Random and RoundRobin, relative to the other members': its weight times its slow-start share.</summary>
    public int ShareWeight => Weight * SlowStartShare;

    /// <summary>What LeastLoaded divides the member's in-flight count by (<see cref="Candidate.Capacity"/>): the counted limit, scaled by its slow start, times its weight.</summary>
    public int Capacity => Candidate.CapacityOf(SlowStartSchedule.Cap(Math.Min(Verdict.ConcurrencyLimit, Candidate.MaxCountedLimit), SlowStartShare), Weight);

    /// <summary>The position in failover order: 0 is the primary.</summary>
    public int Index { get; }

    /// <summary>The member's verdict when the snapshot was built.</summary>
    public MemberVerdict Verdict { get; }

    /// <summary>The member's health when the snapshot was built.</summary>
    public MemberHealth Health { get; }

    /// <summary>Why the snapshot excludes the member before any per-selection check, or <see cref="MemberRejectionReason.None"/>.</summary>
    public MemberRejectionReason Rejection { get; }

    /// <summary>The same definition at <paramref name="index"/> with the member's current verdict, health and slow start; this instance when nothing changed.</summary>
    public SnapshotMember Current(int index) =>
        index == Index && ReferenceEquals(Verdict, State.Throttle.Verdict) && Health == State.Penalty.Health && SlowStartShare == State.SlowStart.Share
            ? this
            : new SnapshotMember(State, Version, Enabled, index, Weight);

    /// <summary>The same member, enabled or disabled.</summary>
    public SnapshotMember WithEnabled(bool enabled) => new(State, Version, enabled, Index, Weight);

    /// <summary>The same member with the version it reported.</summary>
    public SnapshotMember WithVersion(string? version) => new(State, version, Enabled, Index, Weight);
}
