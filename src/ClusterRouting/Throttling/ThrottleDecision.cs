namespace ClusterRouting;

/// <summary>
/// What a <see cref="ThrottlePolicy"/> decided for one member: admit it, throttle it (skip it until the next
/// evaluation), or admit at most a number of concurrent operations.
/// </summary>
public readonly struct ThrottleDecision : IEquatable<ThrottleDecision>
{
    private readonly int _concurrencyLimit;

    private ThrottleDecision(bool isThrottled, int concurrencyLimit, TimeSpan? retryAfter)
    {
        IsThrottled = isThrottled;
        _concurrencyLimit = concurrencyLimit;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets the decision that admits the member without restriction.</summary>
    public static ThrottleDecision Admit => default;

    /// <summary>Gets a value indicating whether the member is throttled: selections skip it until the next evaluation.</summary>
    public bool IsThrottled { get; }

    /// <summary>
    /// Gets how many operations may be in flight on the member at once; <see cref="int.MaxValue"/> when this decision
    /// sets no concurrency limit.
    /// </summary>
    public int ConcurrencyLimit => _concurrencyLimit == 0 ? int.MaxValue : _concurrencyLimit;

    /// <summary>Gets a hint of when the member may be admitted again, when the policy knows one.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Creates the decision that throttles the member until the next evaluation.</summary>
    /// <param name="retryAfter">When the member may be admitted again, if known; not negative.</param>
    /// <returns>A throttling decision.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retryAfter"/> is negative.</exception>
    public static ThrottleDecision Throttle(TimeSpan? retryAfter = null)
    {
        if (retryAfter < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retryAfter), retryAfter, "The retry-after hint must not be negative.");
        }

        return new ThrottleDecision(isThrottled: true, 0, retryAfter);
    }

    /// <summary>Creates the decision that admits at most <paramref name="maxConcurrentOperations"/> operations in flight on the member.</summary>
    /// <param name="maxConcurrentOperations">The limit; at least 1.</param>
    /// <returns>A concurrency-limiting decision.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxConcurrentOperations"/> is less than 1.</exception>
    public static ThrottleDecision LimitConcurrency(int maxConcurrentOperations)
    {
        Guard.AtLeast(maxConcurrentOperations, 1);
        return new ThrottleDecision(isThrottled: false, maxConcurrentOperations, retryAfter: null);
    }

    /// <summary>Compares two decisions for equality.</summary>
    /// <param name="left">The first decision.</param>
    /// <param name="right">The second decision.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(ThrottleDecision left, ThrottleDecision right) => left.Equals(right);

    /// <summary>Compares two decisions for inequality.</summary>
    /// <param name="left">The first decision.</param>
    /// <param name="right">The second decision.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(ThrottleDecision left, ThrottleDecision right) => !left.Equals(right);

    /// <inheritdoc />
    public bool Equals(ThrottleDecision other) =>
        IsThrottled == other.IsThrottled && ConcurrencyLimit == other.ConcurrencyLimit && RetryAfter == other.RetryAfter;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ThrottleDecision other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (IsThrottled, ConcurrencyLimit, RetryAfter).GetHashCode();

    /// <inheritdoc />
    public override string ToString() =>
        IsThrottled ? $"Throttle (retry after {RetryAfter?.ToString() ?? "unknown"})"
        : ConcurrencyLimit == int.MaxValue ? "Admit"
        : $"LimitConcurrency({ConcurrencyLimit})";
}
