namespace ClusterRouting;

/// <summary>The cluster's monotonic clock: time elapsed since the cluster was created, read from its <see cref="TimeProvider"/>.</summary>
internal sealed class ClusterClock
{
    private readonly long _start;

    public ClusterClock(TimeProvider timeProvider)
    {
        TimeProvider = timeProvider;
        _start = timeProvider.GetTimestamp();
    }

    public TimeProvider TimeProvider { get; }

    public TimeSpan Now => TimeProvider.GetElapsedTime(_start);

    /// <summary>How long from now until <paramref name="at"/>; never negative.</summary>
    public TimeSpan? Until(TimeSpan? at)
    {
        if (at is not TimeSpan due)
        {
            return null;
        }

        TimeSpan left = due - Now;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }
}
