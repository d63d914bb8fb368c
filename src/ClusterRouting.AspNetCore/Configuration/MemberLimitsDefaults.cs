namespace ClusterRouting.AspNetCore;

/// <summary>The defaults of the member's settings, from the gateway documentation where it states them.</summary>
internal static class MemberLimitsDefaults
{
    public const string SectionName = "ClusterMember";

    public const double CpuThreshold = 0;

    public const double MemoryThreshold = 0;

    public const int AggregationTimeInMinutes = 5;

    public const int ConcurrentOperationLimit = 40;

    /// <summary>Buckets per window: the window's memory is fixed however many samples arrive.</summary>
    public const int WindowBuckets = 60;

    public static readonly TimeSpan SamplingInterval = TimeSpan.FromSeconds(5);
}
