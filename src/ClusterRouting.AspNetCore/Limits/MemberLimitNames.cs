namespace ClusterRouting.AspNetCore;

/// <summary>The names of the limits on the wire (the refusal's header, the health endpoint, metric tags) and in the core.</summary>
internal static class MemberLimitNames
{
    /// <summary>The header that names the limit of a refusal, read by the router's HTTP handler.</summary>
    public const string LimitHeader = ClusterMemberProtocol.LimitHeader;

    public const string Cpu = "cpu";

    public const string Memory = "memory";

    public const string Concurrency = "concurrency";

    public static string? NameOf(MemberLimit limit) => limit switch
    {
        MemberLimit.Cpu => Cpu,
        MemberLimit.Memory => Memory,
        MemberLimit.Concurrency => Concurrency,
        _ => null,
    };

    public static ThrottleLimitKind KindOf(MemberLimit limit) => limit switch
    {
        MemberLimit.Cpu => ThrottleLimitKind.Cpu,
        MemberLimit.Memory => ThrottleLimitKind.Memory,
        MemberLimit.Concurrency => ThrottleLimitKind.Concurrency,
        _ => throw new ArgumentOutOfRangeException(nameof(limit), limit, "Not a limit."),
    };
}
