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
    public bool TryAcquire(out int probeEpoch)
    {
        if (IsProbe)
        {
            return State.TryAcquireProbe(Limit, out probeEpoch);
        }

        probeEpoch = -1;
        return State.TryAcquire(Limit);
    }
}
