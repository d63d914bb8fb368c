namespace ClusterRouting;

/// <summary>The throttling and penalty settings of <see cref="ClusterOptions"/>, copied when settings are applied.</summary>
internal sealed class ClusterSettings
{
    private ClusterSettings(ThrottlePolicy[] policies, TimeSpan window, TimeSpan refusalCoolDown, ThrottlePolicyFailureMode failureMode, ClusterOptions options)
    {
        TrackOfflineMembers = options.TrackOfflineMembers;
        PenaltyBase = options.OfflinePenaltyBaseDuration;
        PenaltyMax = options.OfflinePenaltyMaxDuration;
        PenaltyJitter = options.OfflinePenaltyJitter;
        IsOfflineException = options.IsOfflineException;
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

    public bool TrackOfflineMembers { get; }

    public TimeSpan PenaltyBase { get; }

    public TimeSpan PenaltyMax { get; }

    public double PenaltyJitter { get; }

    public Func<Exception, bool>? IsOfflineException { get; }

    /// <summary>The penalty after <paramref name="consecutiveFailures"/> offline results in a row: base x 2^(n-1), capped, jittered.</summary>
    /// <param name="consecutiveFailures">At least 1.</param>
    /// <param name="unitRandom">A uniform draw in [0, 1).</param>
    public TimeSpan Penalty(int consecutiveFailures, double unitRandom)
    {
        // Doubling past 2^30 overflows long before any cap is reached; the cap applies well before that anyway.
        int doublings = Math.Min(consecutiveFailures - 1, 30);
        double ticks = Math.Min(PenaltyBase.Ticks * Math.Pow(2, doublings), PenaltyMax.Ticks);
        double factor = 1 + (PenaltyJitter * ((2 * unitRandom) - 1));
        // A cap near TimeSpan.MaxValue plus jitter would overflow: saturate instead.
        return TimeSpan.FromTicks((long)Math.Min(ticks * factor, TimeSpan.MaxValue.Ticks - 1));
    }

    public static ClusterSettings From(ClusterOptions options)
    {
        var policies = new List<ThrottlePolicy>();
        if (options.CPUUtilizationPercentageThreshold > 0)
        {
            policies.Add(UtilizationThrottlePolicy.Cpu(options.CPUUtilizationPercentageThreshold));
        }

        if (options.MemoryUtilizationPercentageThreshold > 0)
        {
            policies.Add(UtilizationThrottlePolicy.Memory(options.MemoryUtilizationPercentageThreshold));
        }

        if (!options.BypassConcurrentOperationLimit)
        {
            policies.Add(new ConcurrencyThrottlePolicy(options.ConcurrentOperationLimitPreview));
        }

        policies.AddRange(options.ThrottlePolicies);
        return new ClusterSettings(
            policies.ToArray(),
            TimeSpan.FromMinutes(options.ResourceUtilizationAggregationTimeInMinutes),
            options.MemberRefusalCoolDown,
            options.ThrottlePolicyFailureMode,
            options);
    }
}
