namespace ClusterRouting;

/// <summary>
/// The offline-penalty settings of a cluster: whether offline members are tracked, and how long each penalty lasts.
/// Immutable: one per applied configuration.
/// </summary>
internal sealed class PenaltySchedule
{
    private PenaltySchedule(bool trackOfflineMembers, TimeSpan baseDuration, TimeSpan maxDuration, double jitter)
    {
        TrackOfflineMembers = trackOfflineMembers;
        BaseDuration = baseDuration;
        MaxDuration = maxDuration;
        Jitter = jitter;
    }

    public bool TrackOfflineMembers { get; }

    public TimeSpan BaseDuration { get; }

    public TimeSpan MaxDuration { get; }

    public double Jitter { get; }

    public static PenaltySchedule From(ClusterOptions options) =>
        new(options.TrackOfflineMembers, options.OfflinePenaltyBaseDuration, options.OfflinePenaltyMaxDuration, options.OfflinePenaltyJitter);

    /// <summary>The penalty after <paramref name="consecutiveOfflineResults"/> offline results in a row: base x 2^(n-1), capped, jittered.</summary>
    /// <param name="consecutiveOfflineResults">At least 1.</param>
    /// <param name="unitRandom">A uniform draw in [0, 1).</param>
    public TimeSpan Duration(int consecutiveOfflineResults, double unitRandom)
    {
        // Doubling past 2^30 overflows long before any cap is reached; the cap applies well before that anyway.
        int doublings = Math.Min(consecutiveOfflineResults - 1, 30);
        double ticks = Math.Min(BaseDuration.Ticks * Math.Pow(2, doublings), MaxDuration.Ticks);
        double jittered = ticks * (1 + (Jitter * ((2 * unitRandom) - 1)));

        // A cap near TimeSpan.MaxValue plus jitter would overflow: saturate instead. (double)long.MaxValue is 2^63, one
        // past the range; a cast from it is undefined (.NET Framework gives long.MinValue), so compare before casting.
        // Stryker disable once Equality,Conditional : on .NET 9 and later (the build Stryker tests) the cast saturates to long.MaxValue, which is TimeSpan.MaxValue, so casting 2^63 or more gives the same value; the guard is for net8.0 and netstandard2.0
        return jittered >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)jittered);
    }
}
