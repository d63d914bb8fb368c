namespace ClusterRouting;

/// <summary>
/// The mutable state of one member that outlives membership snapshots: a member that stays in the cluster
/// keeps the same instance across every change, and a lease keeps it alive after the member is removed.
/// </summary>
internal sealed class MemberState
{
    private int _inFlight;

    public MemberState(string id)
    {
        Id = id;
    }

    public string Id { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Takes one in-flight slot if fewer than <paramref name="limit"/> are taken.</summary>
    /// <remarks>
    /// Compare-and-swap rather than increment-then-undo, so the count itself never exceeds the limit,
    /// not even for the moment between an increment and its undo.
    /// </remarks>
    public bool TryAcquire(int limit)
    {
        int current = Volatile.Read(ref _inFlight);
        while (current < limit)
        {
            int seen = Interlocked.CompareExchange(ref _inFlight, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
    }

    public void Release() => Interlocked.Decrement(ref _inFlight);
}
