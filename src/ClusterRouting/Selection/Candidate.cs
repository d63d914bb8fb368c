using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// A member that a selection may take: its slots, the concurrency limit its verdict set, its position in failover
/// order, and, for a member whose penalty ended, the probe it must take first.
/// </summary>
internal readonly struct Candidate
{
    /// <summary>The largest limit <see cref="Capacity"/> counts: a larger one (or none) counts as this, so loads compare exactly in 64 bits.</summary>
    public const int MaxCountedLimit = 1 << 24;

    public Candidate(MemberSlots slots, int concurrencyLimit, int index, ProbeGate? probe)
        : this(slots, concurrencyLimit, index, probe, MemberWeights.Default, CapacityOf(concurrencyLimit, MemberWeights.Default))
    {
    }

    public Candidate(MemberSlots slots, int concurrencyLimit, int index, ProbeGate? probe, int weight, int capacity)
    {
        Slots = slots;
        ConcurrencyLimit = concurrencyLimit;
        Index = index;
        Probe = probe;
        Weight = weight;
        Capacity = capacity;
        Counts = slots.Counts;
    }

    /// <summary>The member's in-flight stripes (<see cref="MemberSlots.Counts"/>), held here so that a scan of loads reads them without going through <see cref="Slots"/>.</summary>
    public int[] Counts { get; }

    public MemberSlots Slots { get; }

    /// <summary>How many operations may be in flight on the member at once.</summary>
    public int ConcurrencyLimit { get; }

    /// <summary>The member's position in failover order: 0 is the primary.</summary>
    public int Index { get; }

    /// <summary>The probe to take with the slot, for a member whose penalty ended; <see langword="null"/> otherwise.</summary>
    public ProbeGate? Probe { get; }

    /// <summary>The member's share in <see cref="SelectionMode.Random"/> and <see cref="SelectionMode.RoundRobin"/>, relative to the other candidates': at least 1.</summary>
    public int Weight { get; }

    /// <summary>
    /// What <see cref="SelectionMode.LeastLoaded"/> divides the member's in-flight count by: its limit (at most
    /// <see cref="MaxCountedLimit"/>) times its weight. At least 1, and under 2^31 for a weight of at most 100.
    /// </summary>
    public int Capacity { get; }

    /// <summary>The capacity of a member with <paramref name="limit"/> and <paramref name="weight"/>.</summary>
    public static int CapacityOf(int limit, int weight) => Math.Max(1, Math.Min(limit, MaxCountedLimit)) * weight;

    /// <summary>Takes a slot (and, for a probing member, its probe).</summary>
    /// <param name="stripe">The calling thread's stripe.</param>
    /// <param name="position">The candidate's position in its array, returned in the pick.</param>
    /// <returns>The pick, or <see cref="Pick.None"/> when the member can't take the operation.</returns>
    public Pick TryAcquire(int stripe, int position)
    {
        if (Probe is not null)
        {
            return TryAcquireProbe(stripe, position);
        }

        int used = Slots.TryAcquire(ConcurrencyLimit, stripe);
        return used < 0 ? Pick.None : new Pick(position, used, probeEpoch: -1);
    }

    // Out of line: a probe is rare, and its out parameter would otherwise keep a local in memory on the hot path.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Pick TryAcquireProbe(int stripe, int position)
    {
        if (!Probe!.TryTake(out int epoch))
        {
            return Pick.None;
        }

        int used = Slots.TryAcquire(ConcurrencyLimit, stripe);
        if (used < 0)
        {
            Probe.Return(epoch);
            return Pick.None;
        }

        return new Pick(position, used, epoch);
    }
}
