namespace ClusterRouting;

/// <summary>
/// The outcome of evaluating one member's throttle policies and refusals, folded into the snapshot so that selections
/// do not derive it. Immutable; a new one is made at each evaluation.
/// </summary>
internal sealed class MemberVerdict : IEquatable<MemberVerdict>
{
    public static readonly MemberVerdict Unrestricted = new(MemberRejectionReason.None, null, null, int.MaxValue, MemberRejectionReason.ConcurrencyLimit, null, null, null);

    public MemberVerdict(
        MemberRejectionReason rejection,
        string? rejectedBy,
        TimeSpan? retryAt,
        int concurrencyLimit,
        MemberRejectionReason concurrencyReason,
        string? concurrencyPolicy,
        double? cpuPercent,
        double? memoryPercent)
    {
        Rejection = rejection;
        RejectedBy = rejectedBy;
        RetryAt = retryAt;
        ConcurrencyLimit = concurrencyLimit;
        ConcurrencyReason = concurrencyReason;
        ConcurrencyPolicy = concurrencyPolicy;
        CpuPercent = cpuPercent;
        MemoryPercent = memoryPercent;
    }

    /// <summary>Why the member is throttled, or <see cref="MemberRejectionReason.None"/>.</summary>
    public MemberRejectionReason Rejection { get; }

    /// <summary>The name of the policy that throttled the member, for custom policies.</summary>
    public string? RejectedBy { get; }

    /// <summary>When the member may be admitted again, on the cluster's clock, when known.</summary>
    public TimeSpan? RetryAt { get; }

    public int ConcurrencyLimit { get; }

    /// <summary>The reason reported when the member is at <see cref="ConcurrencyLimit"/>.</summary>
    public MemberRejectionReason ConcurrencyReason { get; }

    public string? ConcurrencyPolicy { get; }

    public double? CpuPercent { get; }

    public double? MemoryPercent { get; }

    public bool Equals(MemberVerdict? other) =>
        other is not null
        && Rejection == other.Rejection
        && RejectedBy == other.RejectedBy
        && RetryAt == other.RetryAt
        && ConcurrencyLimit == other.ConcurrencyLimit
        && ConcurrencyReason == other.ConcurrencyReason
        && ConcurrencyPolicy == other.ConcurrencyPolicy
        && CpuPercent.Equals(other.CpuPercent)
        && MemoryPercent.Equals(other.MemoryPercent);

    public override bool Equals(object? obj) => Equals(obj as MemberVerdict);

    public override int GetHashCode() => (Rejection, RetryAt, ConcurrencyLimit, CpuPercent, MemoryPercent).GetHashCode();

    /// <summary>Whether selections would behave differently under <paramref name="other"/>; the loads alone do not count.</summary>
    public bool RoutesLike(MemberVerdict other) =>
        Rejection == other.Rejection
        && RejectedBy == other.RejectedBy
        && RetryAt == other.RetryAt
        && ConcurrencyLimit == other.ConcurrencyLimit
        && ConcurrencyReason == other.ConcurrencyReason
        && ConcurrencyPolicy == other.ConcurrencyPolicy;
}
