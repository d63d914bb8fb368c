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

        // A cap near TimeSpan.MaxValue plus jitter would overflow: saturate instead. From .NET 9 a conversion from double
        // to long saturates (2^63 and more give long.MaxValue, TimeSpan.MaxValue's ticks). Before, (double)long.MaxValue
        // is 2^63, one past the range, and a cast from it is undefined (.NET Framework gives long.MinValue): compare first.
#if NET9_0_OR_GREATER
        return TimeSpan.FromTicks((long)jittered);
#else
        return jittered >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)jittered);
#endif
    }
}
