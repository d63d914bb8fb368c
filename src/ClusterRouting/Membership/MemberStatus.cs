namespace ClusterRouting;

/// <summary>The state of one member at the moment <see cref="IClusterSelector.GetStatus"/> was called.</summary>
public sealed class MemberStatus
{
    internal MemberStatus(SnapshotMember member, ClusterClock clock)
    {
        Id = member.Id;
        Address = member.State.Address;
        Version = member.Version;
        Enabled = member.Enabled;
        Index = member.Index;
        MemberState state = member.State;
        InFlight = state.Slots.InFlight;
        MemberVerdict verdict = state.Throttle.Verdict;
        Throttle = verdict.Rejection;
        ThrottledBy = verdict.RejectedBy;
        ThrottleRetryAfter = clock.Until(verdict.RetryAt);
        CpuPercent = verdict.CpuPercent;
        MemoryPercent = verdict.MemoryPercent;
        ConcurrencyLimit = verdict.ConcurrencyLimit == int.MaxValue ? null : verdict.ConcurrencyLimit;
        Health = state.Penalty.Health;
        ConsecutiveOfflineResults = state.Penalty.ConsecutiveOfflineResults;
        PenalizedUntil = clock.UtcOf(state.Penalty.Deadline);
    }

    /// <summary>Gets whether the member is online, penalized for proving offline, or being probed after its penalty.</summary>
    public MemberHealth Health { get; }

    /// <summary>Gets when the member's penalty ends, by the cluster's clock, while it is <see cref="MemberHealth.Penalized"/>.</summary>
    public DateTimeOffset? PenalizedUntil { get; }

    /// <summary>Gets how many attempts in a row found the member offline (reported offline since its last success).</summary>
    public int ConsecutiveOfflineResults { get; }

    /// <summary>Gets the member's id.</summary>
    public string Id { get; }

    /// <summary>Gets where the member is reached, when known.</summary>
    public Uri? Address { get; }

    /// <summary>Gets the version the member runs, when known.</summary>
    public string? Version { get; }

    /// <summary>Gets a value indicating whether the member may be selected.</summary>
    public bool Enabled { get; }

    /// <summary>Gets the member's position in failover order: 0 is the primary.</summary>
    public int Index { get; }

    /// <summary>Gets a value indicating whether the member is the cluster's primary (the first member).</summary>
    public bool IsPrimary => Index == 0;

    /// <summary>Gets how many leases on the member are not yet disposed.</summary>
    public int InFlight { get; }

    /// <summary>
    /// Gets why the member is throttled (<see cref="MemberRejectionReason.CpuLimit"/>, <see cref="MemberRejectionReason.MemoryLimit"/>,
    /// <see cref="MemberRejectionReason.PolicyLimit"/>, or the limit it refused for), or <see cref="MemberRejectionReason.None"/>.
    /// Being at the concurrency limit is not reported here: compare <see cref="InFlight"/> with <see cref="ConcurrencyLimit"/>.
    /// </summary>
    public MemberRejectionReason Throttle { get; }

    /// <summary>Gets the name of the custom policy that throttles the member, for <see cref="MemberRejectionReason.PolicyLimit"/>.</summary>
    public string? ThrottledBy { get; }

    /// <summary>Gets how long until the throttle may lift without new data, when known.</summary>
    public TimeSpan? ThrottleRetryAfter { get; }

    /// <summary>Gets the member's average CPU utilization over the aggregation window, or <see langword="null"/> with no sample in it.</summary>
    public double? CpuPercent { get; }

    /// <summary>Gets the member's average memory utilization over the aggregation window, or <see langword="null"/> with no sample in it.</summary>
    public double? MemoryPercent { get; }

    /// <summary>Gets how many operations may be in flight on the member at once, or <see langword="null"/> when unlimited.</summary>
    public int? ConcurrencyLimit { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Id} (#{Index}{(Enabled ? string.Empty : ", disabled")}, {Health}, {InFlight} in flight)";
}
