namespace ClusterRouting;

/// <summary>The defaults of the throttling settings, from the gateway documentation where it states them.</summary>
internal static class ThrottlingDefaults
{
    public const double CpuThreshold = 0;

    public const double MemoryThreshold = 0;

    public const int AggregationTimeInMinutes = 5;

    public const int ConcurrentOperationLimit = 40;

    public const int UtilizationBuckets = 60;

    public static readonly TimeSpan RefusalCoolDown = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The soonest a member throttled by a policy is evaluated again: a policy that keeps answering "retry after 0"
    /// is re-evaluated ten times a second, not in a loop.
    /// </summary>
    public static readonly TimeSpan MinimumRecheck = TimeSpan.FromMilliseconds(100);
}
