using System.Runtime.CompilerServices;
#if NET
using System.Runtime.InteropServices;
#endif

namespace ClusterRouting;

/// <summary>
/// A member's in-flight operations, counted so that selections on different threads write different cache lines: the
/// only thing selections write. A member that stays in the cluster keeps the same instance across every change, and a
/// lease keeps it alive after the member is removed.
/// </summary>
/// <remarks>
/// The count is striped (<see cref="Stripes"/>): each thread counts on a cache line of its own, so threads selecting
/// the same member do not take turns owning one line. The concurrency limit is not stored here: each selection passes
/// the limit of the snapshot it read.
/// </remarks>
internal sealed class MemberSlots
{
    // One in-flight count per stripe, each on its own cache line (Stripes.Offset); the member's count is their sum.
    private readonly int[] _inFlight = new int[Stripes.ArrayLength];

    // 1 while a lowered limit leaves some stripe over its share: admissions then take _admissionGate and check the
    // sum, until the stripes are back within their shares of _guardedLimit.
    private int _guarded;
    private int _guardedLimit;
    private Lock? _admissionGate;

    public MemberSlots(MemberState member)
    {
        Member = member;
    }

    /// <summary>Gets the stripes' counts, for <see cref="Candidate.Counts"/>: read through <see cref="SumOfStripes(int[])"/> only.</summary>
    internal int[] Counts => _inFlight;

    /// <summary>Gets the member these slots count for.</summary>
    public MemberState Member { get; }

    /// <summary>The operations in flight: the sum of the stripes, each read once (exact when no lease is taken or ended meanwhile).</summary>
    public int InFlight => SumOfStripes(_inFlight);

    /// <summary>
    /// <see cref="InFlight"/> of the slots whose <see cref="Counts"/> are <paramref name="counts"/>, for a selection that
    /// compares members' loads: inlined into the scan and, on .NET, read without bounds checks, since the scan reads
    /// every member's stripes on every selection.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int SumOfStripes(int[] counts) => SumOfStripes(counts, Stripes.LastOffset);

    /// <summary>The sum of the stripes of <paramref name="counts"/> at <see cref="Stripes.Spacing"/>, twice that, ... up to <paramref name="lastOffset"/>: a power of two of them.</summary>
    /// <remarks>
    /// From four stripes on, four are read a step into four sums, so that the loads do not wait on one chain of adds:
    /// with 16 stripes (a machine of 9 to 16 processors) a scan of 10 members reads 160 counts. The stripe count is a
    /// power of two, so four divides it. <see cref="SumOfStripes(int[])"/> passes <see cref="Stripes.LastOffset"/>,
    /// which the JIT reads as a constant, so only one of the two loops is compiled into the scan; tests pass others.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int SumOfStripes(int[] counts, int lastOffset)
    {
        int sum = 0;
#if NET
        ref int first = ref MemoryMarshal.GetArrayDataReference(counts);
        // Stryker disable once Equality : with exactly four stripes both loops read the same four and sum them alike, so > is >= (the mark also covers the reversed comparisons, which the tests of one, two and sixteen stripes refute)
        if (lastOffset >= 4 * Stripes.Spacing)
        {
            int second = 0, third = 0, fourth = 0;
            for (int offset = Stripes.Spacing; offset <= lastOffset; offset += 4 * Stripes.Spacing)
            {
                sum += Volatile.Read(ref Unsafe.Add(ref first, offset));
                second += Volatile.Read(ref Unsafe.Add(ref first, offset + Stripes.Spacing));
                third += Volatile.Read(ref Unsafe.Add(ref first, offset + (2 * Stripes.Spacing)));
                fourth += Volatile.Read(ref Unsafe.Add(ref first, offset + (3 * Stripes.Spacing)));
            }

            return (sum + second) + (third + fourth);
        }

        for (int offset = Stripes.Spacing; offset <= lastOffset; offset += Stripes.Spacing)
        {
            sum += Volatile.Read(ref Unsafe.Add(ref first, offset));
        }
#else
        for (int offset = Stripes.Spacing; offset <= lastOffset; offset += Stripes.Spacing)
        {
            sum += Volatile.Read(ref counts[offset]);
        }
#endif
        return sum;
    }

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

    public void Release(int stripe) => Interlocked.Decrement(ref _inFlight[Stripes.Offset(stripe)]);

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
            // Stryker disable once Equality : one more step wraps round to the calling thread's stripe, which is what chosen already is when no stripe is under its share (the mark also covers the reversed comparisons, which the guarded-admission tests refute)
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
        // Stryker disable once Equality : one more step wraps round to the calling thread's own stripe, which TryAcquire found full a moment before: it takes a slot there only if one was released meanwhile, within its share as ever (the mark also covers the reversed comparisons, which the tests of full stripes refute)
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
}
