using System.Diagnostics;

namespace ClusterRouting;

/// <summary>
/// What a selection took: the position of the candidate that took a slot, the stripe the slot was taken on, and the
/// epoch of the probe taken (-1 for an ordinary slot).
/// </summary>
/// <remarks>
/// The three are packed into one 64-bit word (the position in the low 32 bits, the stripe in the next 4, the epoch,
/// signed, in the top 28), so that the JIT keeps a pick in a register through the inlined selections; as a struct of
/// three fields it was copied through the stack at each level. <see cref="Stripes"/> has at most 16 stripes and
/// <see cref="ProbeGate"/> epochs have 27 bits, so every value fits.
/// </remarks>
internal readonly struct Pick
{
    private const int StripeShift = 32;
    private const int EpochShift = 36;

    private readonly long _value;

    public Pick(int position, int stripe, int probeEpoch)
    {
        Debug.Assert((uint)stripe < 16, "A stripe is from 0 to 15.");
        Debug.Assert(probeEpoch >= -1 && probeEpoch <= ProbeGate.MaxEpoch, "An epoch has 27 bits; -1 is no probe.");
        _value = (uint)position | ((long)stripe << StripeShift) | ((long)probeEpoch << EpochShift);
    }

    /// <summary>Gets the value for "no candidate took the operation".</summary>
    public static Pick None => new(-1, 0, -1);

    /// <summary>Gets the position in the candidate array of the member that took a slot; -1 for none.</summary>
    public int Position => (int)_value;

    public int Stripe => (int)(_value >> StripeShift) & 0xF;

    public int ProbeEpoch => (int)(_value >> EpochShift);

    public bool IsTaken => Position >= 0;
}
