namespace ClusterRouting;

/// <summary>The throttling part of <see cref="ClusterOptions"/>, copied and turned into policies when settings are applied.</summary>
internal sealed class ThrottleSettings
{
    private ThrottleSettings(ThrottlePolicy[] policies, TimeSpan window, TimeSpan refusalCoolDown, ThrottlePolicyFailureMode failureMode)
    {
        Policies = policies;
        Window = window;
        RefusalCoolDown = refusalCoolDown;
        FailureMode = failureMode;
    }

    /// <summary>The built-in policies that are on, then the custom ones, in evaluation order.</summary>
    public ThrottlePolicy[] Policies { get; }

    public TimeSpan Window { get; }

    public TimeSpan RefusalCoolDown { get; }

    public ThrottlePolicyFailureMode FailureMode { get; }

    public static ThrottleSettings From(ClusterOptions options)
    {
        var policies = new List<ThrottlePolicy>();
        if (options.CPUUtilizationPercentageThreshold > 0)
        {
            policies.Add(new CpuThrottlePolicy(options.CPUUtilizationPercentageThreshold));
        }

        if (options.MemoryUtilizationPercentageThreshold > 0)
        {
            policies.Add(new MemoryThrottlePolicy(options.MemoryUtilizationPercentageThreshold));
        }

        if (!options.BypassConcurrentOperationLimit)
        {
            policies.Add(new ConcurrencyThrottlePolicy(options.ConcurrentOperationLimitPreview));
        }

        policies.AddRange(options.ThrottlePolicies);
        return new ThrottleSettings(
            policies.ToArray(),
            TimeSpan.FromMinutes(options.ResourceUtilizationAggregationTimeInMinutes),
            options.MemberRefusalCoolDown,
            options.ThrottlePolicyFailureMode);
    }
}
