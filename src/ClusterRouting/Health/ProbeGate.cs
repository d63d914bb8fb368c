namespace ClusterRouting;

/// <summary>
/// The single probe of a member whose offline penalty ended: at most one operation at a time may take it. One word
/// holds the probe's epoch (one per penalty that ended) in the high bits and its state (closed, open, taken) in the low
/// two, so that a lease from an earlier probe can never reopen a later one.
/// </summary>
/// <remarks>
/// Selections take the probe lock-free (<see cref="TryTake"/>); the penalty state machine opens and closes it under the
/// cluster's lock when the penalty ends or an outcome is reported.
/// </remarks>
internal sealed class ProbeGate
{
    /// <summary>The highest epoch: after it the epochs start again from 0.</summary>
    public const int MaxEpoch = (1 << 27) - 1;

    private const int Closed = 0;
    private const int Open = 1;
    private const int Taken = 2;
    private const int StateMask = 3;

    // 27 bits of epoch: the word stays positive, so an epoch is never mistaken for "no probe" (-1) by a lease, and an
    // epoch fits in a Pick beside the position and the stripe.
    private const int EpochMask = MaxEpoch;

    private int _word;

    /// <summary>Gets a value indicating whether the probe is out: taken, and no outcome reported yet.</summary>
    public bool IsTaken => (Volatile.Read(ref _word) & StateMask) == Taken;

    /// <summary>Lets one probe operation through, in a new epoch. Called under the cluster's lock.</summary>
    public void Open_NeedsLock()
    {
        // Stryker disable once Bitwise : the word is never negative (a 27-bit epoch shifted by 2), so >>> shifts it as >> does
        int epoch = ((Volatile.Read(ref _word) >> 2) + 1) & EpochMask;
        Volatile.Write(ref _word, (epoch << 2) | Open);
    }

    /// <summary>No probe: the member is online again or penalized again. Called under the cluster's lock.</summary>
    public void Close_NeedsLock() => Volatile.Write(ref _word, (Volatile.Read(ref _word) & ~StateMask) | Closed);

    /// <summary>Takes the probe if it is open.</summary>
    /// <param name="epoch">The probe's epoch, to hand back to <see cref="Return"/>.</param>
    /// <returns>Whether the probe was open and is now taken by the caller.</returns>
    public bool TryTake(out int epoch)
    {
        int word = Volatile.Read(ref _word);
        // Stryker disable once Bitwise : the word is never negative (a 27-bit epoch shifted by 2), so >>> shifts it as >> does
        epoch = word >> 2;
        return (word & StateMask) == Open && Interlocked.CompareExchange(ref _word, (word & ~StateMask) | Taken, word) == word;
    }

    /// <summary>
    /// Gives the probe of <paramref name="epoch"/> back, so the next operation may probe instead: its lease ended with no
    /// outcome reported, or no slot could be taken with it. A probe of another epoch, or a closed one, is left alone.
    /// </summary>
    public void Return(int epoch) => Interlocked.CompareExchange(ref _word, (epoch << 2) | Open, (epoch << 2) | Taken);
}
