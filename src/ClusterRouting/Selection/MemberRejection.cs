namespace ClusterRouting;

/// <summary>One member that a failed selection could not use, and why.</summary>
public readonly struct MemberRejection : IEquatable<MemberRejection>
{
    /// <summary>Initializes a new instance of the <see cref="MemberRejection"/> struct.</summary>
    /// <param name="memberId">The member's id.</param>
    /// <param name="reason">Why the member was not used.</param>
    public MemberRejection(string memberId, MemberRejectionReason reason)
    {
        MemberId = memberId;
        Reason = reason;
    }

    /// <summary>Gets the member's id.</summary>
    public string MemberId { get; }

    /// <summary>Gets why the member was not used.</summary>
    public MemberRejectionReason Reason { get; }

    /// <summary>Compares two rejections for equality.</summary>
    /// <param name="left">The first rejection.</param>
    /// <param name="right">The second rejection.</param>
    /// <returns><see langword="true"/> when both name the same member and reason.</returns>
    public static bool operator ==(MemberRejection left, MemberRejection right) => left.Equals(right);

    /// <summary>Compares two rejections for inequality.</summary>
    /// <param name="left">The first rejection.</param>
    /// <param name="right">The second rejection.</param>
    /// <returns><see langword="true"/> when they differ in member or reason.</returns>
    public static bool operator !=(MemberRejection left, MemberRejection right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(MemberRejection other) =>
        string.Equals(MemberId, other.MemberId, StringComparison.Ordinal) && Reason == other.Reason;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MemberRejection other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(MemberId, Reason);

    /// <inheritdoc />
    public override string ToString() => $"{MemberId}: {Reason}";
}
