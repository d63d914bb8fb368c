namespace ClusterRouting.Http;

/// <summary>The defaults and bounds of the HTTP integration, in one place.</summary>
internal static class HttpRoutingDefaults
{
    public const int MaxRefusalBodyBytes = 4096;

    public const int MaxRefusalBodyBytesLimit = 1024 * 1024;

    /// <summary>The shortest cool-down reported for a refusal: a <c>Retry-After</c> of 0, or a date already past, asks for no wait at all.</summary>
    public static readonly TimeSpan MinRefusalCoolDown = TimeSpan.FromMilliseconds(1);

    public static readonly TimeSpan MaxRefusalCoolDown = TimeSpan.FromMinutes(5);

    /// <summary>The header a member sends with a refusal to name its limit in a machine-readable form: cpu, memory or concurrency.</summary>
    public const string LimitHeader = ClusterMemberProtocol.LimitHeader;
}
