using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// The mutable state of one member that outlives membership snapshots: a member that stays in the cluster
/// keeps the same instance across every change, and a lease keeps it alive after the member is removed.
/// </summary>
/// <remarks>
/// The in-flight count is the only thing selections write, and it is striped (<see cref="Stripes"/>): each thread
/// counts on a cache line of its own, so threads selecting the same member do not take turns owning one line. The
/// other fields are written under the cluster's write lock and read by selections only through the snapshot built
/// from them.
/// </remarks>
internal sealed class MemberState
{
    // The probe word: the probe's epoch (one per penalty that ended) in the high bits, its state in the low two.
    private const int ProbeClosed = 0;
    private const int ProbeOpen = 1;
    private const int ProbeTaken = 2;
    private const int ProbeStateMask = 3;

    // One in-flight count per stripe, each on its own cache line (Stripes.Offset); the member's count is their sum.
    private readonly int[] _inFlight = new int[Stripes.ArrayLength];

    // 1 while a lowered limit leaves some stripe over its share: admissions then take _admissionGate and check the
    // sum, until the stripes are back within their shares of _guardedLimit.
    private int _guarded;
    private int _guardedLimit;
    private Lock? _admissionGate;
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

    /// <summary>The operations in flight: the sum of the stripes, each read once (exact when no lease is taken or ended meanwhile).</summary>
    public int InFlight
    {
        get
        {
            int sum = 0;
            for (int stripe = 0; stripe < Stripes.Count; stripe++)
            {
                sum += CountOn(stripe);
            }

            return sum;
        }
    }

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

    /// <summary>
    /// Takes one in-flight slot if fewer than <paramref name="limit"/> are taken: on <paramref name="stripe"/> while its
    /// share of the limit lasts, otherwise on another stripe with a slot free.
    /// </summary>
    /// <returns>The stripe the slot was taken on, which the lease hands back to <see cref="Release"/>; -1 when the member is at its limit.</returns>
    /// <remarks>
    /// Compare-and-swap rather than increment-then-undo, so no stripe ever exceeds its share of the limit, not even for
    /// the moment between an increment and its undo, and the shares add up to the limit.
    /// </remarks>
    public int TryAcquire(int limit, int stripe)
    {
        if (Volatile.Read(ref _guarded) != 0)
        {
            return TryAcquireGuarded(limit, stripe);
        }

        return TryTakeWithinShare(limit, stripe) ? stripe : TryAcquireElsewhere(limit, stripe);
    }

    public void Release(int stripe)
    {
        Interlocked.Decrement(ref _inFlight[Stripes.Offset(stripe)]);
        if (Metrics.InFlightEnabled)
        {
            Metrics.RecordLease(ClusterName, Id, -1);
        }
    }

    /// <summary>
    /// Makes admissions exact for a snapshot with <paramref name="limit"/> that is about to be published. Called under
    /// the cluster's write lock, before the snapshot is published.
    /// </summary>
    /// <remarks>
    /// When the limit was lowered while leases were out, a stripe can hold more than its new share while another holds
    /// less; admitting on the second by its share alone would take the member over the limit. Until the stripes are
    /// back within their shares, admissions go through <see cref="TryAcquireGuarded"/>, which checks the sum.
    /// </remarks>
    public void PrepareForLimit(int limit)
    {
        if (Volatile.Read(ref _guarded) == 0 && WithinShares(limit))
        {
            return;
        }

        Lock gate = _admissionGate ??= new Lock();
        lock (gate)
        {
            _guardedLimit = limit;
            Volatile.Write(ref _guarded, WithinShares(limit) ? 0 : 1);
        }
    }

    /// <summary>Whether the member is admitting through <see cref="TryAcquireGuarded"/> (a lowered limit left a stripe over its share).</summary>
    internal bool IsGuarded => Volatile.Read(ref _guarded) != 0;

    private bool WithinShares(int limit)
    {
        for (int stripe = 0; stripe < Stripes.Count; stripe++)
        {
            if (CountOn(stripe) > Stripes.Quota(limit, stripe))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Admits only while the sum of the stripes is under <paramref name="limit"/>; admissions take turns, releases don't wait.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int TryAcquireGuarded(int limit, int stripe)
    {
        lock (_admissionGate!)
        {
            // Only releases change the stripes meanwhile, so the sum read here is at least the true one.
            if (InFlight >= limit)
            {
                return -1;
            }

            // A stripe under its share if there is one (the calling thread's first), so the stripes move back within
            // their shares; otherwise the calling thread's.
            int chosen = stripe;
            for (int step = 0; step < Stripes.Count; step++)
            {
                int other = (stripe + step) & Stripes.Mask;
                if (CountOn(other) < Stripes.Quota(limit, other))
                {
                    chosen = other;
                    break;
                }
            }

            Interlocked.Increment(ref _inFlight[Stripes.Offset(chosen)]);
            if (limit == _guardedLimit && WithinShares(limit))
            {
                Volatile.Write(ref _guarded, 0);
            }

            return chosen;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private int TryAcquireElsewhere(int limit, int stripe)
    {
        for (int step = 1; step < Stripes.Count; step++)
        {
            int other = (stripe + step) & Stripes.Mask;
            if (TryTakeWithinShare(limit, other))
            {
                return other;
            }
        }

        return -1;
    }

    private int CountOn(int stripe) => Volatile.Read(ref _inFlight[Stripes.Offset(stripe)]);

    /// <summary>Takes a slot on <paramref name="stripe"/> if it holds fewer than its share of <paramref name="limit"/>.</summary>
    private bool TryTakeWithinShare(int limit, int stripe)
    {
        ref int count = ref _inFlight[Stripes.Offset(stripe)];
        int quota = Stripes.Quota(limit, stripe);
        int current = Volatile.Read(ref count);
        while (current < quota)
        {
            int seen = Interlocked.CompareExchange(ref count, current + 1, current);
            if (seen == current)
            {
                return true;
            }

            current = seen;
        }

        return false;
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
    /// <param name="stripe">The calling thread's stripe.</param>
    /// <param name="epoch">The probe's epoch, which the lease hands back to <see cref="ReleaseProbe"/>.</param>
    /// <returns>The stripe the slot was taken on; -1 when the probe is not open or the member is at its limit.</returns>
    public int TryAcquireProbe(int limit, int stripe, out int epoch)
    {
        int word = Volatile.Read(ref _probe);
        epoch = word >> 2;
        int taken = (word & ~ProbeStateMask) | ProbeTaken;
        if ((word & ProbeStateMask) != ProbeOpen || Interlocked.CompareExchange(ref _probe, taken, word) != word)
        {
            return -1;
        }

        int used = TryAcquire(limit, stripe);
        if (used < 0)
        {
            Interlocked.CompareExchange(ref _probe, word, taken);
        }

        return used;
    }

    /// <summary>
    /// Ends a probe lease: when no outcome was reported for its probe, the next operation may probe instead. A lease
    /// from an earlier probe (another epoch) leaves the current probe alone.
    /// </summary>
    public void ReleaseProbe(int epoch, int stripe)
    {
        int taken = (epoch << 2) | ProbeTaken;
        Interlocked.CompareExchange(ref _probe, (epoch << 2) | ProbeOpen, taken);
        Release(stripe);
    }

    /// <summary>Whether the member's single probe is out (taken and no outcome reported yet).</summary>
    public bool ProbeTakenNow => (Volatile.Read(ref _probe) & ProbeStateMask) == ProbeTaken;
}
