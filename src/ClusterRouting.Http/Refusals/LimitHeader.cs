using System.Net.Http.Headers;

namespace ClusterRouting.Http;

/// <summary>Reads the <c>ClusterRouting-Limit</c> header: the limit a member refused for, in a machine-readable form.</summary>
internal static class LimitHeader
{
    /// <summary>The limit the header names (cpu, memory or concurrency, ignoring case); <see langword="null"/> when absent or unknown.</summary>
    public static ThrottleLimitKind? Read(HttpResponseHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues(HttpRoutingDefaults.LimitHeader, out HeaderStringValues values))
        {
            return null;
        }

        foreach (string value in values)
        {
            if (Parse(value) is ThrottleLimitKind limit)
            {
                return limit;
            }
        }

        return null;
    }

    /// <summary>Parses one value of the header.</summary>
    public static ThrottleLimitKind? Parse(string? value) =>
        ClusterMemberProtocol.TryParseLimit(value, out ThrottleLimitKind limit) ? limit : null;
}
