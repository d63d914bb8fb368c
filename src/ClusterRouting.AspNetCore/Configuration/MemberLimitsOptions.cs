using System.ComponentModel.DataAnnotations;

namespace ClusterRouting.AspNetCore;

/// <summary>
/// The settings of a member of a cluster: its identity, and the throttling limits that it enforces on itself, under
/// the gateway's own configuration key names (the gateway keeps them in its own configuration file), so an admin's
/// values carry over unchanged. Bound from the "ClusterMember" section by default.
/// </summary>
public sealed class MemberLimitsOptions
{
    /// <summary>Gets or sets the member's id, as the routers know it; reported by the health endpoint. Not empty.</summary>
    /// <value>The default value is the machine's name.</value>
    public string Id { get; set; } = Environment.MachineName;

    /// <summary>Gets or sets the member's version, reported by the health endpoint.</summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public string? Version { get; set; }

    /// <summary>
    /// Gets or sets the CPU throttling limit, in percent: while the member's CPU utilization, averaged over
    /// <see cref="ResourceUtilizationAggregationTimeInMinutes"/>, is at or over this value, requests are refused.
    /// The permissible range is 0 to 100; 0 disables the limit. The name is the gateway's configuration key.
    /// </summary>
    /// <value>The default value is 0 (disabled).</value>
    [Range(0d, 100d)]
    public double CPUUtilizationPercentageThreshold { get; set; } = MemberLimitsDefaults.CpuThreshold;

    /// <summary>
    /// Gets or sets the memory throttling limit, in percent: while the member's memory utilization, averaged over
    /// <see cref="ResourceUtilizationAggregationTimeInMinutes"/>, is at or over this value, requests are refused.
    /// The permissible range is 0 to 100; 0 disables the limit. The name is the gateway's configuration key.
    /// </summary>
    /// <value>The default value is 0 (disabled).</value>
    [Range(0d, 100d)]
    public double MemoryUtilizationPercentageThreshold { get; set; } = MemberLimitsDefaults.MemoryThreshold;

    /// <summary>
    /// Gets or sets the time in minutes over which the CPU and memory samples are averaged before they are compared
    /// with the thresholds. At least 1. The name is the gateway's configuration key.
    /// </summary>
    /// <remarks>
    /// The window is kept in 60 buckets of 1/60 of its length: a sample counts until the start of its bucket is a
    /// whole window old. With no sample in the window there is no average, and the member is not throttled for CPU
    /// or memory.
    /// </remarks>
    /// <value>The default value is 5.</value>
    [Range(1, int.MaxValue)]
    public int ResourceUtilizationAggregationTimeInMinutes { get; set; } = MemberLimitsDefaults.AggregationTimeInMinutes;

    /// <summary>
    /// Gets or sets how many requests may be in flight on the member at once; a request that arrives while that
    /// many are in flight is refused. At least 1. <see cref="BypassConcurrentOperationLimit"/> removes the limit.
    /// The name is the gateway's configuration key.
    /// </summary>
    /// <value>The default value is 40.</value>
    [Range(1, int.MaxValue)]
    public int ConcurrentOperationLimitPreview { get; set; } = MemberLimitsDefaults.ConcurrentOperationLimit;

    /// <summary>
    /// Gets or sets a value indicating whether the concurrent-operation limit is removed (requests in flight are still
    /// counted and reported). The name is the gateway's configuration key.
    /// </summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool BypassConcurrentOperationLimit { get; set; }

    /// <summary>
    /// Gets or sets how often the member measures its CPU and memory. Each CPU sample covers the whole interval
    /// since the previous one, so a longer interval loses nothing of the average; it only delays the reaction.
    /// Greater than zero and at most the aggregation window.
    /// </summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan SamplingInterval { get; set; } = MemberLimitsDefaults.SamplingInterval;
}
