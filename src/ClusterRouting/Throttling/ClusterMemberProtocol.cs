namespace ClusterRouting;

/// <summary>
/// The names that a member and its routers share on the wire: the header that names the limit a member refused for,
/// the limit names, and where a member serves its health by default. The member's side
/// (<c>ClusterRouting.AspNetCore</c>) writes them and the router's side (<c>ClusterRouting.Http</c>) reads them.
/// </summary>
public static class ClusterMemberProtocol
{
    /// <summary>The response header that names the limit a member refused for: <c>cpu</c>, <c>memory</c> or <c>concurrency</c>.</summary>
    public const string LimitHeader = "ClusterRouting-Limit";

    /// <summary>The path, relative to the member's address, where a member serves its health by default.</summary>
    public const string DefaultHealthPath = "/cluster-routing/health";

    /// <summary>The wire name of a limit a member refuses for.</summary>
    /// <param name="limit"><see cref="ThrottleLimitKind.Cpu"/>, <see cref="ThrottleLimitKind.Memory"/> or <see cref="ThrottleLimitKind.Concurrency"/>.</param>
    /// <returns><c>cpu</c>, <c>memory</c> or <c>concurrency</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not a limit a member refuses for.</exception>
    public static string LimitName(ThrottleLimitKind limit) => ThrottleLimits.IsRefusable(limit)
        ? ThrottleLimits.TagOf(limit)
        : throw new ArgumentOutOfRangeException(nameof(limit), limit, "A member refuses for its CPU, memory or concurrency limit.");

    /// <summary>Reads a limit's wire name, ignoring case and surrounding white space.</summary>
    /// <param name="value">The name, for example a value of <see cref="LimitHeader"/>.</param>
    /// <param name="limit">The limit, when the name is one.</param>
    /// <returns><see langword="true"/> when <paramref name="value"/> names <c>cpu</c>, <c>memory</c> or <c>concurrency</c>.</returns>
    public static bool TryParseLimit(string? value, out ThrottleLimitKind limit)
    {
        string text = value?.Trim() ?? string.Empty;
        foreach (ThrottleLimitKind candidate in new[] { ThrottleLimitKind.Cpu, ThrottleLimitKind.Memory, ThrottleLimitKind.Concurrency })
        {
            if (string.Equals(text, ThrottleLimits.TagOf(candidate), StringComparison.OrdinalIgnoreCase))
            {
                limit = candidate;
                return true;
            }
        }

        limit = default;
        return false;
    }
}
