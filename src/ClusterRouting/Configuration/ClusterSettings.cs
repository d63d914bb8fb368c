namespace ClusterRouting;

/// <summary>
/// The settings of <see cref="ClusterOptions"/> that the cold path applies, copied when options are applied so that
/// later changes to the options object have no effect. Each feature gets its own immutable part.
/// </summary>
internal sealed class ClusterSettings
{
    private ClusterSettings(ThrottleEvaluator throttling, PenaltySchedule penalties, SlowStartSchedule slowStart, HedgingSettings hedging, Func<Exception, bool>? isOfflineException)
    {
        Hedging = hedging;
        Throttling = throttling;
        Penalties = penalties;
        SlowStart = slowStart;
        IsOfflineException = isOfflineException;
    }

    /// <summary>Gets the throttle policies, the window and the refusal cool-down.</summary>
    public ThrottleEvaluator Throttling { get; }

    /// <summary>Gets whether offline members are tracked, and how long their penalties last.</summary>
    public PenaltySchedule Penalties { get; }

    /// <summary>Gets whether and when <c>ExecuteAsync</c> hedges.</summary>
    public HedgingSettings Hedging { get; }

    /// <summary>Gets how a member that comes back ramps up, if at all.</summary>
    public SlowStartSchedule SlowStart { get; }

    /// <summary>Gets what else, besides <see cref="MemberOfflineException"/>, means that an attempt found its member offline.</summary>
    public Func<Exception, bool>? IsOfflineException { get; }

    /// <summary>The settings of validated <paramref name="options"/>.</summary>
    public static ClusterSettings From(ClusterOptions options) =>
        new(ThrottleEvaluator.From(options), PenaltySchedule.From(options), SlowStartSchedule.From(options), HedgingSettings.From(options), options.IsOfflineException);
}
