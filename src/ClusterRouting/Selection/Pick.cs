namespace ClusterRouting;

/// <summary>
/// What a selection took, returned by value so that the hot path keeps it in registers: the position of the candidate
/// that took a slot, the stripe the slot was taken on, and the epoch of the probe taken (-1 for an ordinary slot).
/// </summary>
internal readonly struct Pick
{
    public Pick(int position, int stripe, int probeEpoch)
    {
        Position = position;
        Stripe = stripe;
        ProbeEpoch = probeEpoch;
    }

    /// <summary>Gets the value for "no candidate took the operation".</summary>
    public static Pick None => new(-1, -1, -1);

    /// <summary>Gets the position in the candidate array of the member that took a slot; -1 for none.</summary>
    public int Position { get; }

    public int Stripe { get; }

    public int ProbeEpoch { get; }

    public bool IsTaken => Position >= 0;
}
