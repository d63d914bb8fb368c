namespace ClusterRouting.AspNetCore;

/// <summary>The limits in the health endpoint's answer, under the gateway's key names.</summary>
internal sealed class MemberHealthLimits
{
    public double CPUUtilizationPercentageThreshold { get; init; }

    public double MemoryUtilizationPercentageThreshold { get; init; }

    public int ResourceUtilizationAggregationTimeInMinutes { get; init; }

    /// <summary>Null when the limit is bypassed.</summary>
    public int? ConcurrentOperationLimitPreview { get; init; }

    public bool BypassConcurrentOperationLimit { get; init; }
}
