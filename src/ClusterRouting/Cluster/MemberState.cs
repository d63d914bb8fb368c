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
    // The probe word: the probe's epoch (one per penalty that ended) in the high bits, its state in the low two.
    private const int ProbeClosed = 0;
    private const int ProbeOpen = 1;
    private const int ProbeTaken = 2;
    private const int ProbeStateMask = 3;

    private int _inFlight;
    private int _health;
    private int _consecutiveFailures;
    private int _probe;

    public MemberState(string id, string clusterName = "", ClusterRoutingMetrics? metrics = null)
    {
        Id = id;
        ClusterName = clusterName;
        Metrics = metrics ?? ClusterRoutingMetrics.Shared;
    }

    public string Id { get; }

    public string ClusterName { get; }

    public ClusterRoutingMetrics Metrics { get; }

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The CPU and memory samples; created with the first sample. Guarded by the cluster's write lock.</summary>
    public UtilizationWindow? Utilization { get; set; }

    /// <summary>The limit the member last refused an operation for. Guarded by the cluster's write lock.</summary>
    public ThrottleLimitKind RefusedFor { get; set; }

    /// <summary>Until when, on the cluster's clock, the member's refusal holds; <see cref="TimeSpan.Zero"/> for none. Guarded by the cluster's write lock.</summary>
    public TimeSpan RefusedUntil { get; set; }

    /// <summary>The earliest moment the member's verdict can change without new data. Guarded by the cluster's write lock.</summary>
    public TimeSpan? NextChangeAt { get; set; }

    /// <summary>Online, penalized or probing. Written under the cluster's write lock; read without it by the success fast path.</summary>
    public MemberHealth Health
    {
        get => (MemberHealth)Volatile.Read(ref _health);
        set => Volatile.Write(ref _health, (int)value);
    }

    /// <summary>Offline results in a row. Written under the cluster's write lock; read without it by the success fast path.</summary>
    public int ConsecutiveFailures
    {
        get => Volatile.Read(ref _consecutiveFailures);
        set => Volatile.Write(ref _consecutiveFailures, value);
    }

    /// <summary>Until when, on the cluster's clock, the member is penalized. Guarded by the cluster's write lock.</summary>
    public TimeSpan PenalizedUntil { get; set; }

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

    public void Release()
    {
        Interlocked.Decrement(ref _inFlight);
        if (Metrics.InFlightEnabled)
        {
            Metrics.RecordLease(ClusterName, Id, -1);
        }
    }

    /// <summary>Lets one probe operation through, in a new epoch. Called under the cluster's write lock when a penalty ends.</summary>
    public void OpenProbe()
    {
        int epoch = (Volatile.Read(ref _probe) >> 2) + 1;
        Volatile.Write(ref _probe, (epoch << 2) | ProbeOpen);
    }

    /// <summary>No probe: the member is online again or penalized again. Called under the cluster's write lock.</summary>
    public void CloseProbe() => Volatile.Write(ref _probe, (Volatile.Read(ref _probe) & ~ProbeStateMask) | ProbeClosed);

    /// <summary>Takes the probe, if it is open, together with an in-flight slot.</summary>
    /// <param name="limit">The member's concurrency limit.</param>
    /// <param name="epoch">The probe's epoch, which the lease hands back to <see cref="ReleaseProbe"/>.</param>
    public bool TryAcquireProbe(int limit, out int epoch)
    {
        int word = Volatile.Read(ref _probe);
        epoch = word >> 2;
        int taken = (word & ~ProbeStateMask) | ProbeTaken;
        if ((word & ProbeStateMask) != ProbeOpen || Interlocked.CompareExchange(ref _probe, taken, word) != word)
        {
            return false;
        }

        if (TryAcquire(limit))
        {
            return true;
        }

        Interlocked.CompareExchange(ref _probe, word, taken);
        return false;
    }

    /// <summary>
    /// Ends a probe lease: when no outcome was reported for its probe, the next operation may probe instead. A lease
    /// from an earlier probe (another epoch) leaves the current probe alone.
    /// </summary>
    public void ReleaseProbe(int epoch)
    {
        int taken = (epoch << 2) | ProbeTaken;
        Interlocked.CompareExchange(ref _probe, (epoch << 2) | ProbeOpen, taken);
        Release();
    }

    /// <summary>Whether the member's single probe is out (taken and no outcome reported yet).</summary>
    public bool ProbeTakenNow => (Volatile.Read(ref _probe) & ProbeStateMask) == ProbeTaken;
}
