namespace ClusterRouting.AspNetCore;

/// <summary>The health endpoint's answer.</summary>
internal sealed class MemberHealthReport
{
    public required string Id { get; init; }

    public string? Version { get; init; }

    /// <summary>Always true: a member that answers is online.</summary>
    public bool Online { get; init; } = true;

    /// <summary>The CPU average over the window, or null with no sample in it.</summary>
    public double? CpuPercent { get; init; }

    public double? MemoryPercent { get; init; }

    public int InFlight { get; init; }

    public required MemberHealthLimits Limits { get; init; }

    /// <summary>"cpu", "memory", "concurrency", or null when the member is under every limit.</summary>
    public string? OverLimit { get; init; }
}
