namespace ClusterRouting;

/// <summary>One member that a failed selection could not use, and why.</summary>
public readonly struct MemberRejection : IEquatable<MemberRejection>
{
    /// <summary>Initializes a new instance of the <see cref="MemberRejection"/> struct.</summary>
    /// <param name="memberId">The member's id.</param>
    /// <param name="reason">Why the member was not used.</param>
    /// <param name="retryAfter">When the member may take operations again, when known.</param>
    /// <param name="policyName">The custom policy that throttled the member, for <see cref="MemberRejectionReason.PolicyLimit"/>.</param>
    public MemberRejection(string memberId, MemberRejectionReason reason, TimeSpan? retryAfter = null, string? policyName = null)
    {
        MemberId = memberId;
        Reason = reason;
        RetryAfter = retryAfter;
        PolicyName = policyName;
    }

    /// <summary>Gets the member's id.</summary>
    public string MemberId { get; }

    /// <summary>Gets why the member was not used.</summary>
    public MemberRejectionReason Reason { get; }

    /// <summary>Gets how long until the member may take operations again, when known.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Gets the name of the custom policy that throttled the member, for <see cref="MemberRejectionReason.PolicyLimit"/>.</summary>
    public string? PolicyName { get; }

    /// <summary>Gets a value indicating whether a throttling limit stopped the member (not an admin's decision).</summary>
    public bool IsThrottled => Reason is MemberRejectionReason.CpuLimit or MemberRejectionReason.MemoryLimit
        or MemberRejectionReason.ConcurrencyLimit or MemberRejectionReason.PolicyLimit;

    /// <summary>Compares two rejections for equality.</summary>
    /// <param name="left">The first rejection.</param>
    /// <param name="right">The second rejection.</param>
    /// <returns><see langword="true"/> when both are equal.</returns>
    public static bool operator ==(MemberRejection left, MemberRejection right) => left.Equals(right);

    /// <summary>Compares two rejections for inequality.</summary>
    /// <param name="left">The first rejection.</param>
    /// <param name="right">The second rejection.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(MemberRejection left, MemberRejection right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(MemberRejection other) =>
        string.Equals(MemberId, other.MemberId, StringComparison.Ordinal) && Reason == other.Reason
        && RetryAfter == other.RetryAfter && string.Equals(PolicyName, other.PolicyName, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MemberRejection other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (MemberId, Reason, RetryAfter, PolicyName).GetHashCode();

    /// <inheritdoc />
    public override string ToString() => PolicyName is null ? $"{MemberId}: {Reason}" : $"{MemberId}: {Reason} ({PolicyName})";
}
