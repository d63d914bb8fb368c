namespace ClusterRouting;

/// <summary>
/// The outcome of evaluating one member's throttle policies and refusal, folded into the snapshot so that selections
/// do not derive it. Immutable; a new one is made at each evaluation.
/// </summary>
internal sealed class MemberVerdict : IEquatable<MemberVerdict>
{
    public static readonly MemberVerdict Unrestricted = new(MemberRejectionReason.None, null, null, int.MaxValue, MemberRejectionReason.ConcurrencyLimit, null, null, null, null);

    public MemberVerdict(
        MemberRejectionReason rejection,
        string? rejectedBy,
        TimeSpan? retryAt,
        int concurrencyLimit,
        MemberRejectionReason concurrencyReason,
        string? concurrencyPolicy,
        double? cpuPercent,
        double? memoryPercent,
        TimeSpan? deadline)
    {
        Rejection = rejection;
        RejectedBy = rejectedBy;
        RetryAt = retryAt;
        ConcurrencyLimit = concurrencyLimit;
        ConcurrencyReason = concurrencyReason;
        ConcurrencyPolicy = concurrencyPolicy;
        CpuPercent = cpuPercent;
        MemoryPercent = memoryPercent;
        Deadline = deadline;
    }

    /// <summary>Why the member is throttled, or <see cref="MemberRejectionReason.None"/>.</summary>
    public MemberRejectionReason Rejection { get; }

    /// <summary>The name of the policy that throttled the member, for custom policies.</summary>
    public string? RejectedBy { get; }

    /// <summary>When the member may be admitted again, on the cluster's clock, when known.</summary>
    public TimeSpan? RetryAt { get; }

    /// <summary>How many operations may be in flight on the member at once; <see cref="int.MaxValue"/> for no limit.</summary>
    public int ConcurrencyLimit { get; }

    /// <summary>The reason reported when the member is at <see cref="ConcurrencyLimit"/>.</summary>
    public MemberRejectionReason ConcurrencyReason { get; }

    /// <summary>The custom policy that set <see cref="ConcurrencyLimit"/>, if one did.</summary>
    public string? ConcurrencyPolicy { get; }

    public double? CpuPercent { get; }

    public double? MemoryPercent { get; }

    /// <summary>
    /// The earliest moment this verdict can change without new data, on the cluster's clock: samples leave the window,
    /// the refusal's cool-down ends, or a policy's retry-after passes. <see langword="null"/> when nothing is pending.
    /// </summary>
    public TimeSpan? Deadline { get; }

    public bool Equals(MemberVerdict? other) =>
        other is not null
        && RoutesLike(other)
        && Same(CpuPercent, other.CpuPercent)
        && Same(MemoryPercent, other.MemoryPercent)
        && Deadline == other.Deadline;

    /// <summary>Whether two optional percentages are the same, without boxing (<c>double?.Equals(double?)</c> binds to <c>Equals(object)</c>).</summary>
    public static bool Same(double? left, double? right) =>
        left.HasValue ? right.HasValue && left.GetValueOrDefault() == right.GetValueOrDefault() : !right.HasValue;

    public override bool Equals(object? obj) => Equals(obj as MemberVerdict);

    public override int GetHashCode() => (Rejection, RetryAt, ConcurrencyLimit, CpuPercent, MemoryPercent, Deadline).GetHashCode();

    /// <summary>Whether selections would behave the same under <paramref name="other"/>; the loads and the deadline alone do not count.</summary>
    public bool RoutesLike(MemberVerdict other) =>
        Rejection == other.Rejection
        && RejectedBy == other.RejectedBy
        && RetryAt == other.RetryAt
        && ConcurrencyLimit == other.ConcurrencyLimit
        && ConcurrencyReason == other.ConcurrencyReason
        && ConcurrencyPolicy == other.ConcurrencyPolicy;
}
