namespace ClusterRouting;

/// <summary>
/// The cluster's monotonic clock: time elapsed since the cluster was created, read from its <see cref="TimeProvider"/>.
/// A provider whose timestamp steps back (a fake clock, a custom provider) is clamped: <see cref="Now"/> never returns
/// less than it returned before, so no deadline, bucket index or subtraction ever sees time run backwards.
/// </summary>
internal sealed class ClusterClock
{
    private readonly long _start;
    private long _latestTicks;

    public ClusterClock(TimeProvider timeProvider)
    {
        TimeProvider = timeProvider;
        _start = timeProvider.GetTimestamp();
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>Gets the time since the cluster was created: never negative, never less than a value returned before.</summary>
    public TimeSpan Now
    {
        get
        {
            long elapsed = TimeProvider.GetElapsedTime(_start).Ticks;
            long latest = Volatile.Read(ref _latestTicks);
            while (elapsed > latest)
            {
                long seen = Interlocked.CompareExchange(ref _latestTicks, elapsed, latest);
                if (seen == latest)
                {
                    return TimeSpan.FromTicks(elapsed);
                }

                latest = seen;
            }

            return TimeSpan.FromTicks(latest);
        }
    }

    /// <summary>How long from now until <paramref name="at"/>; never negative.</summary>
    public TimeSpan? Until(TimeSpan? at)
    {
        if (at is not TimeSpan due)
        {
            return null;
        }

        return TimeSpan.FromTicks(Math.Max(0, (due - Now).Ticks));
    }

    /// <summary>The wall-clock time of <paramref name="at"/>: the provider's current UTC time plus what is left until it.</summary>
    public DateTimeOffset? UtcOf(TimeSpan? at) =>
        Until(at) is TimeSpan left ? TimeMath.Add(TimeProvider.GetUtcNow(), left) : null;
}
