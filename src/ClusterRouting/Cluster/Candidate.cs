namespace ClusterRouting;

/// <summary>A member that a selection may take, with the concurrency limit its verdict set and its position in failover order.</summary>
internal readonly struct Candidate
{
    public Candidate(MemberState state, int limit, int index, bool isProbe)
    {
        State = state;
        Limit = limit;
        Index = index;
        IsProbe = isProbe;
    }

    public MemberState State { get; }

    public int Limit { get; }

    public int Index { get; }

    /// <summary>Whether the member's penalty ended and only its single probe operation may be taken.</summary>
    public bool IsProbe { get; }

    /// <summary>Takes a slot (or, for a probing member, the probe); <paramref name="probeEpoch"/> is -1 for an ordinary slot.</summary>
    /// <param name="stripe">The calling thread's stripe; on success, the stripe the slot was taken on.</param>
    /// <param name="probeEpoch">The epoch of the probe taken, or -1.</param>
    /// <returns>Whether a slot was taken.</returns>
    public bool TryAcquire(ref int stripe, out int probeEpoch)
    {
        int used;
        if (IsProbe)
        {
            used = State.TryAcquireProbe(Limit, stripe, out probeEpoch);
        }
        else
        {
            probeEpoch = -1;
            used = State.TryAcquire(Limit, stripe);
        }

        if (used < 0)
        {
            return false;
        }

        stripe = used;
        return true;
    }
}
