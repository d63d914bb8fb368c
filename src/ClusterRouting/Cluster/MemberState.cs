namespace ClusterRouting;

/// <summary>
/// The mutable state of one member that outlives membership snapshots: a member that stays in the cluster
/// keeps the same instance across every change, and a lease keeps it alive after the member is removed.
/// </summary>
/// <remarks>
/// The in-flight count is the only field selections write. The other fields are written under the cluster's write
/// lock and read by selections only through the snapshot built from them.
/// </remarks>
internal sealed class MemberState
{
    private int _inFlight;

    public MemberState(string id)
    {
        Id = id;
    }

    public string Id { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The CPU and memory samples; created with the first sample. Guarded by the cluster's write lock.</summary>
    public UtilizationWindow? Utilization { get; set; }

    /// <summary>The limit the member last refused an operation for. Guarded by the cluster's write lock.</summary>
    public ThrottleLimitKind RefusedFor { get; set; }

    /// <summary>Until when, on the cluster's clock, the member's refusal holds; <see cref="TimeSpan.Zero"/> for none. Guarded by the cluster's write lock.</summary>
    public TimeSpan RefusedUntil { get; set; }

    /// <summary>The earliest moment the member's verdict can change without new data. Guarded by the cluster's write lock.</summary>
    public TimeSpan? NextChangeAt { get; set; }

    /// <summary>The last evaluation of the member's policies. Guarded by the cluster's write lock.</summary>
    public MemberVerdict Verdict { get; set; } = MemberVerdict.Unrestricted;

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
