using System.Net.Http.Headers;

namespace ClusterRouting.Http;

/// <summary>Turns a member's <c>Retry-After</c> (seconds or an HTTP date) into the cool-down to report with its refusal.</summary>
internal static class RetryAfter
{
    /// <summary>
    /// The cool-down <paramref name="value"/> asks for, at least <see cref="HttpRoutingDefaults.MinRefusalCoolDown"/>
    /// (for 0 or a date already past) and at most <paramref name="max"/>; <see langword="null"/> when there is none.
    /// </summary>
    public static TimeSpan? CoolDown(RetryConditionHeaderValue? value, DateTimeOffset now, TimeSpan max)
    {
        if (value is null)
        {
            return null;
        }

        TimeSpan wait = value.Delta ?? (value.Date is DateTimeOffset date ? date - now : TimeSpan.Zero);

        // Stryker disable once Equality : a wait of exactly the minimum is the minimum either way (the mark also covers >, which RetryAfterTests refute)
        if (wait < HttpRoutingDefaults.MinRefusalCoolDown)
        {
            return HttpRoutingDefaults.MinRefusalCoolDown;
        }

        return TimeSpan.FromTicks(Math.Min(wait.Ticks, max.Ticks));
    }

    /// <summary>Parses a <c>Retry-After</c> header's text, as the response headers do; <see langword="null"/> when it is not valid.</summary>
    public static TimeSpan? CoolDown(string? headerText, DateTimeOffset now, TimeSpan max) =>
        RetryConditionHeaderValue.TryParse(headerText, out RetryConditionHeaderValue? value) ? CoolDown(value, now, max) : null;
}
