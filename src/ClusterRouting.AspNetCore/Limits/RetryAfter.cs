namespace ClusterRouting.AspNetCore;

/// <summary>The Retry-After values the member answers with.</summary>
internal static class RetryAfter
{
    /// <summary>
    /// A refusal at the concurrency limit says 1 second. A slot frees as soon as any request in flight completes, which
    /// the member cannot predict; Retry-After counts whole seconds and 0 would invite an immediate retry into the same
    /// full member, so 1 s is the shortest hint that still means "not now". A longer one would keep routers that honour
    /// it away from a member whose slots free within milliseconds.
    /// </summary>
    public const long ConcurrencySeconds = 1;

    public const string ConcurrencyText = "1";

    /// <summary>Whole seconds, rounded up so that a retry never comes before the moment, and at least 1.</summary>
    public static long Seconds(TimeSpan delay)
    {
        // Stryker disable once Equality : < gives the same answer: exactly 1 s rounds to 1 below as well
        if (delay <= TimeSpan.FromSeconds(1))
        {
            return 1;
        }

        long seconds = delay.Ticks / TimeSpan.TicksPerSecond;
        return delay.Ticks % TimeSpan.TicksPerSecond == 0 ? seconds : seconds + 1;
    }
}
