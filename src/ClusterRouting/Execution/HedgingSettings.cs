namespace ClusterRouting;

/// <summary>How <c>ExecuteAsync</c> hedges: how many hedged attempts a run may start, and after how long. Immutable: one per applied configuration.</summary>
internal sealed class HedgingSettings
{
    private HedgingSettings(int maxHedgedAttempts, TimeSpan delay)
    {
        MaxHedgedAttempts = maxHedgedAttempts;
        Delay = delay;
    }

    /// <summary>Gets how many hedged attempts a run may start beside the one in flight; 0 when hedging is off.</summary>
    public int MaxHedgedAttempts { get; }

    /// <summary>Gets how long an attempt may run without a result before a hedge starts; <see cref="TimeSpan.Zero"/> starts every hedge at once.</summary>
    public TimeSpan Delay { get; }

    public bool IsOn => MaxHedgedAttempts > 0;

    public static HedgingSettings From(ClusterOptions options) => new(options.MaxHedgedAttempts, options.HedgingDelay);
}
