namespace ClusterRouting;

/// <summary>Time arithmetic that saturates instead of overflowing: a valid but huge duration means "practically never".</summary>
internal static class TimeMath
{
    /// <summary>The longest wait a timer accepts (<c>uint.MaxValue - 1</c> milliseconds, about 49.7 days).</summary>
    public static readonly TimeSpan MaxTimerWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    /// <param name="at">A moment on the cluster's clock: never negative.</param>
    /// <param name="duration">Not negative.</param>
    public static TimeSpan Add(TimeSpan at, TimeSpan duration) =>
        TimeSpan.FromTicks(at.Ticks + Math.Min(duration.Ticks, TimeSpan.MaxValue.Ticks - at.Ticks));

    /// <returns>The moment in UTC (added to <paramref name="at"/>'s local clock time, the latest moments would pass DateTime.MaxValue).</returns>
    public static DateTimeOffset Add(DateTimeOffset at, TimeSpan duration) =>
        at.ToUniversalTime().AddTicks(Math.Min(duration.Ticks, (DateTimeOffset.MaxValue - at).Ticks));

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

        return TimeSpan.FromTicks(Math.Min(earlier.Ticks, later.Ticks));
    }
}
