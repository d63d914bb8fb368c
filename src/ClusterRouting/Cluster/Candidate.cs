using System.Runtime.CompilerServices;

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

    /// <summary>Takes a slot (or, for a probing member, the probe).</summary>
    /// <param name="stripe">The calling thread's stripe.</param>
    /// <param name="position">The candidate's position in its array, returned in the pick.</param>
    /// <returns>The pick, or <see cref="Pick.None"/> when the member can't take the operation.</returns>
    public Pick TryAcquire(int stripe, int position)
    {
        if (IsProbe)
        {
            return TryAcquireProbe(stripe, position);
        }

        int used = State.TryAcquire(Limit, stripe);
        return used < 0 ? Pick.None : new Pick(position, used, probeEpoch: -1);
    }

    // Out of line: a probe is rare, and its out parameter would otherwise keep a local in memory on the hot path.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Pick TryAcquireProbe(int stripe, int position)
    {
        int used = State.TryAcquireProbe(Limit, stripe, out int probeEpoch);
        return used < 0 ? Pick.None : new Pick(position, used, probeEpoch);
    }
}
