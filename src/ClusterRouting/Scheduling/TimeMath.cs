namespace ClusterRouting;

/// <summary>Time arithmetic that saturates instead of overflowing: a valid but huge duration means "practically never".</summary>
internal static class TimeMath
{
    /// <summary>The longest wait a timer accepts (<c>uint.MaxValue - 1</c> milliseconds, about 49.7 days).</summary>
    public static readonly TimeSpan MaxTimerWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    /// <param name="at">A moment on the cluster's clock: never negative.</param>
    /// <param name="duration">Not negative.</param>
    // Stryker disable once Equality : when duration is exactly MaxValue - at, at + duration is MaxValue, the saturated value
    public static TimeSpan Add(TimeSpan at, TimeSpan duration) =>
        duration > TimeSpan.MaxValue - at ? TimeSpan.MaxValue : at + duration;

    // Stryker disable once Equality : when duration is exactly MaxValue - at, at + duration is MaxValue, the saturated value
    public static DateTimeOffset Add(DateTimeOffset at, TimeSpan duration) =>
        duration > DateTimeOffset.MaxValue - at ? DateTimeOffset.MaxValue : at + duration;

    /// <summary>The earlier of two optional moments; <see langword="null"/> means "never".</summary>
    public static TimeSpan? Earliest(TimeSpan? left, TimeSpan? right)
    {
        if (left is not TimeSpan earlier)
        {
            return right;
        }

        if (right is not TimeSpan later)
        {
            return left;
        }

        // Stryker disable once Equality : on a tie both are the same TimeSpan, so returning either gives the same value
        return earlier < later ? earlier : later;
    }
}
