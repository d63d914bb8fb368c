namespace ClusterRouting;

/// <summary>A member that a selection may take, with the concurrency limit its verdict set and its position in failover order.</summary>
internal readonly struct Candidate
{
    public Candidate(MemberState state, int limit, int index)
    {
        State = state;
        Limit = limit;
        Index = index;
    }

    public MemberState State { get; }

    public int Limit { get; }

    public int Index { get; }

    public bool TryAcquire() => State.TryAcquire(Limit);
}
