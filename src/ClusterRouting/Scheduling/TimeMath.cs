namespace ClusterRouting;

/// <summary>Time arithmetic that saturates instead of overflowing: a valid but huge duration means "practically never".</summary>
internal static class TimeMath
{
    /// <summary>The longest wait a timer accepts (<c>uint.MaxValue - 1</c> milliseconds, about 49.7 days).</summary>
    public static readonly TimeSpan MaxTimerWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    /// <param name="at">A moment on the cluster's clock: never negative.</param>
    /// <param name="duration">Not negative.</param>
    public static TimeSpan Add(TimeSpan at, TimeSpan duration) =>
        duration > TimeSpan.MaxValue - at ? TimeSpan.MaxValue : at + duration;

    public static DateTimeOffset Add(DateTimeOffset at, TimeSpan duration) =>
        duration > DateTimeOffset.MaxValue - at ? DateTimeOffset.MaxValue : at + duration;

    /// <summary>The earlier of two optional moments; <see langword="null"/> means "never".</summary>
    public static TimeSpan? Earliest(TimeSpan? left, TimeSpan? right) =>
        left is null ? right : right is null ? left : left < right ? left : right;
}
