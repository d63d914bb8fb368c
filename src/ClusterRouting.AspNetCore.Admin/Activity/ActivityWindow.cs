using ClusterRouting.Admin.Contract;

namespace ClusterRouting.Admin;

/// <summary>
/// Counts of what routing did over a trailing window, in one-second buckets: fixed memory however much traffic, and a
/// count leaves the window when its second is a whole window old. Thread-safe; recordings come from every thread that
/// selects.
/// </summary>
internal sealed class ActivityWindow
{
    private const int KindCount = 5;

    private readonly object _gate = new();
    private readonly long[] _seconds;
    private readonly long[] _counts;

    public ActivityWindow(int windowSeconds)
    {
        WindowSeconds = windowSeconds;
        _seconds = new long[windowSeconds];
        _counts = new long[windowSeconds * KindCount];
        // Stryker disable once Statement : a bucket left at second 0 holds no counts: reading or reusing it gives the same (timestamps are never negative)
        Array.Fill(_seconds, long.MinValue);
    }

    public int WindowSeconds { get; }

    /// <summary>Counts one event in the bucket of <paramref name="second"/>.</summary>
    public void Record(ActivityKind kind, long second)
    {
        int bucket = (int)(((second % WindowSeconds) + WindowSeconds) % WindowSeconds);
        lock (_gate)
        {
            if (_seconds[bucket] != second)
            {
                // Stryker disable once Equality : >= is > here, inside != second
                if (_seconds[bucket] > second)
                {
                    // Older than the bucket's current second: already out of the window.
                    return;
                }

                _seconds[bucket] = second;
                Array.Clear(_counts, bucket * KindCount, KindCount);
            }

            _counts[(bucket * KindCount) + (int)kind]++;
        }
    }

    /// <summary>The counts of the seconds after <paramref name="now"/> minus the window, up to and including <paramref name="now"/>.</summary>
    public RoutingActivityCounts Read(long now)
    {
        Span<long> totals = stackalloc long[KindCount];
        lock (_gate)
        {
            for (int bucket = 0; bucket < WindowSeconds; bucket++)
            {
                long second = _seconds[bucket];
                if (second > now - WindowSeconds && second <= now)
                {
                    for (int kind = 0; kind < KindCount; kind++)
                    {
                        totals[kind] += _counts[(bucket * KindCount) + kind];
                    }
                }
            }
        }

        return new RoutingActivityCounts(
            WindowSeconds,
            totals[(int)ActivityKind.Selection],
            totals[(int)ActivityKind.Failover],
            totals[(int)ActivityKind.Refusal],
            totals[(int)ActivityKind.OfflineAttempt],
            totals[(int)ActivityKind.FailedSelection]);
    }
}
