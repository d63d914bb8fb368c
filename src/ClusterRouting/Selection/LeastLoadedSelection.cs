using System.Runtime.CompilerServices;
#if NET
using System.Runtime.InteropServices;
#endif

namespace ClusterRouting;

/// <summary>
/// The eligible member with the lowest load (operations in flight divided by <see cref="Candidate.Capacity"/>), by a
/// scan of every candidate; members tied for the lowest load are chosen among uniformly at random.
/// </summary>
/// <remarks>
/// <para>
/// Loads are compared exactly, as cross products in 64 bits (in-flight counts are under 2^31 and capacities under
/// 2^31), so equal loads tie whatever the capacities. The tied members are kept as a bit mask while scanning, so a
/// selection makes one pass and, when there is a tie, one random draw.
/// </para>
/// <para>
/// The in-flight counts are read while other threads take and release slots, so the load compared is the one each
/// member had a moment ago; a member that fills up meanwhile refuses the slot, and the scan runs again without it.
/// Members at their limit are passed over in the scan.
/// </para>
/// <para>
/// When the snapshot has a <see cref="LoadScan"/> (every eligible member on one <see cref="SlotBoard"/>, one capacity,
/// no probe: the usual case) the scan reads the board's columns and the plan's limits, two small contiguous arrays,
/// instead of each candidate, and compares in-flight counts directly. The result is the same. (Comparing a whole row
/// with vector instructions was tried: it is faster alone, but a vector load over the count that the previous lease
/// just decremented with a locked instruction waits for that store, which cost more than it saved.)
/// </para>
/// <para>
/// A cluster of more than <see cref="Window"/> members is scanned <see cref="Window"/> members at a time, from a random
/// starting point: the least loaded of those is taken, and the next members are scanned only when none of those can
/// take the operation. The gateway model has at most 10 members; this keeps a larger cluster's cost bounded.
/// </para>
/// </remarks>
internal static class LeastLoadedSelection
{
    /// <summary>How many members one scan compares: one bit each in a 64-bit mask.</summary>
    public const int Window = 64;

    /// <summary>Returns what the least loaded member that could take a slot took, or <see cref="Pick.None"/>.</summary>
    /// <param name="candidates">The members to compare.</param>
    /// <param name="scan">The snapshot's plan for comparing a board row at a time, if it has one.</param>
    /// <param name="custom">The cluster's own random source, or <see langword="null"/> for <see cref="RandomSource.Shared"/>.</param>
    /// <param name="local">The calling thread's state, whose generator the shared source is.</param>
    /// <param name="filter">Which members may be taken.</param>
    /// <param name="stripe">The calling thread's stripe.</param>
    public static Pick Select<TFilter>(Candidate[] candidates, LoadScan? scan, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        if (typeof(TFilter) == typeof(NoFilter) && scan is not null)
        {
            return SelectByColumns(candidates, scan, custom, local, filter, stripe);
        }

        return candidates.Length <= Window
            ? SelectAll(candidates, custom, local, filter, stripe, refused: 0, Guess(candidates.Length, custom, local))
            : SelectInWindows(candidates, custom, local, filter, stripe);
    }

    /// <summary>
    /// The least loaded member column by column of the board every eligible member shares with one capacity: the
    /// fewest in flight among those under their limit.
    /// </summary>
    private static Pick SelectByColumns<TFilter>(Candidate[] candidates, LoadScan scan, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        int guess = Guess(candidates.Length, custom, local);
        int guessColumn = candidates[guess].Column;
        int[] counts = scan.Counts;
        int[] limits = scan.Limits;

        // This thread's row, read now; the others' sum from the thread's view of them (LoadView).
        LoadView view = local.Loads;
        if (!ReferenceEquals(view.Scan, scan) || --view.Budget < 0 || view.Epoch != Volatile.Read(ref counts[SlotBoard.EpochOffset]))
        {
            ReadOtherRows(view, scan, stripe);
        }

#if NET
        // Every index below is within the arrays (a plan's columns are the board's): no bounds checks in the scan.
        ref int ownRow = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(counts), SlotBoard.Offset(stripe));
        ref int others = ref MemoryMarshal.GetArrayDataReference(view.Others);
#else
        int[] others = view.Others;
        int own = SlotBoard.Offset(stripe);
#endif
        ulong lowest = 0;
        int lowestInFlight = int.MaxValue;
        for (int column = 0; column < limits.Length; column++)
        {
            // A column no eligible member holds has a limit of 0, and reads as full.
#if NET
            int inFlight = Volatile.Read(ref Unsafe.Add(ref ownRow, column)) + Unsafe.Add(ref others, column);
#else
            int inFlight = Volatile.Read(ref counts[own + column]) + others[column];
#endif
            if (inFlight >= limits[column])
            {
                continue;
            }

            if (inFlight < lowestInFlight)
            {
                lowestInFlight = inFlight;
                lowest = 1UL << column;
            }
            else if (inFlight == lowestInFlight)
            {
                lowest |= 1UL << column;
            }
        }

        if (lowest == 0)
        {
            // Every member looks full, but the other rows may have changed since this thread read them: the exact
            // comparison decides before the selection fails.
            return SelectAll(candidates, custom, local, filter, stripe, refused: 0, guess: -1);
        }

        int position = ((lowest >> guessColumn) & 1) != 0 ? guess : scan.Positions[Choose(lowest, custom, local)];
        Pick pick = candidates[position].TryAcquire(stripe, position);

        // It filled up since the columns were read: compare the rest candidate by candidate.
        return pick.IsTaken ? pick : SelectAll(candidates, custom, local, filter, stripe, refused: 1UL << position, guess: -1);
    }

    /// <summary>Reads the rows of the stripes other than <paramref name="stripe"/> into <paramref name="view"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ReadOtherRows(LoadView view, LoadScan scan, int stripe)
    {
        int[] counts = scan.Counts;
        view.Epoch = Volatile.Read(ref counts[SlotBoard.EpochOffset]);
        int[] others = view.Others;
        for (int column = 0; column < scan.Limits.Length; column++)
        {
            others[column] = MemberSlots.SumOfStripes(counts, column) - Volatile.Read(ref counts[SlotBoard.Offset(stripe) + column]);
        }

        view.Scan = scan;
        view.Budget = LoadView.Refresh;
    }

    /// <summary>
    /// <see cref="SelectIn"/> over every candidate, without wrapping round: a cluster of up to <see cref="Window"/>
    /// members. <c>refused</c> has a bit for each position already found unable to take a slot; <c>guess</c> is the
    /// position drawn before the scan (<see cref="Guess"/>), or -1.
    /// </summary>
    private static Pick SelectAll<TFilter>(Candidate[] candidates, RandomSource? custom, LeaseThread local, TFilter filter, int stripe, ulong refused, int guess)
        where TFilter : struct, ICandidateFilter
    {
        while (true)
        {
            ulong lowest = 0;
            long lowestInFlight = 0;
            long lowestCapacity = 0;
            for (int position = 0; position < candidates.Length; position++)
            {
                ref readonly Candidate candidate = ref candidates[position];
                ulong bit = 1UL << position;
                if ((refused & bit) != 0 || !filter.Allows(candidate.Slots))
                {
                    continue;
                }

                int inFlight = MemberSlots.SumOfStripes(candidate.Counts, candidate.Column);
                if (inFlight >= candidate.ConcurrencyLimit)
                {
                    continue;
                }

                // inFlight / capacity compared with lowestInFlight / lowestCapacity, multiplied out.
                long mine = inFlight * lowestCapacity;
                long theirs = lowestInFlight * candidate.Capacity;
                if (lowest == 0 || mine < theirs)
                {
                    lowest = bit;
                    lowestInFlight = inFlight;
                    lowestCapacity = candidate.Capacity;
                }
                else if (mine == theirs)
                {
                    lowest |= bit;
                }
            }

            if (lowest == 0)
            {
                return Pick.None;
            }

            int chosen = guess >= 0 && ((lowest >> guess) & 1) != 0 ? guess : Choose(lowest, custom, local);
            guess = -1;
            Pick pick = candidates[chosen].TryAcquire(stripe, chosen);
            if (pick.IsTaken)
            {
                return pick;
            }

            // It filled up (or its probe was taken) since the scan read it: compare the rest again.
            refused |= 1UL << chosen;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Pick SelectInWindows<TFilter>(Candidate[] candidates, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        int count = candidates.Length;
        int start = Draw(count, custom, local);
        for (int covered = 0; covered < count; covered += Window)
        {
            int first = start + covered;
            Pick pick = SelectIn(candidates, first >= count ? first - count : first, Math.Min(Window, count - covered), custom, local, filter, stripe);
            if (pick.IsTaken)
            {
                return pick;
            }
        }

        return Pick.None;
    }

    /// <summary>The least loaded of the <paramref name="length"/> candidates from <paramref name="start"/> (wrapping round) that takes a slot.</summary>
    private static Pick SelectIn<TFilter>(Candidate[] candidates, int start, int length, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        int count = candidates.Length;
        ulong refused = 0;
        while (true)
        {
            ulong lowest = 0;
            long lowestInFlight = 0;
            long lowestCapacity = 0;
            for (int offset = 0; offset < length; offset++)
            {
                int position = start + offset;
                if (position >= count)
                {
                    position -= count;
                }

                ref readonly Candidate candidate = ref candidates[position];
                ulong bit = 1UL << offset;
                if ((refused & bit) != 0 || !filter.Allows(candidate.Slots))
                {
                    continue;
                }

                int inFlight = MemberSlots.SumOfStripes(candidate.Counts, candidate.Column);
                if (inFlight >= candidate.ConcurrencyLimit)
                {
                    continue;
                }

                // inFlight / capacity compared with lowestInFlight / lowestCapacity, multiplied out.
                long mine = inFlight * lowestCapacity;
                long theirs = lowestInFlight * candidate.Capacity;
                if (lowest == 0 || mine < theirs)
                {
                    lowest = bit;
                    lowestInFlight = inFlight;
                    lowestCapacity = candidate.Capacity;
                }
                else if (mine == theirs)
                {
                    lowest |= bit;
                }
            }

            if (lowest == 0)
            {
                return Pick.None;
            }

            int chosen = Choose(lowest, custom, local);
            int taken = start + chosen;
            if (taken >= count)
            {
                taken -= count;
            }

            Pick pick = candidates[taken].TryAcquire(stripe, taken);
            if (pick.IsTaken)
            {
                return pick;
            }

            // It filled up (or its probe was taken) since the scan read it: compare the rest again.
            refused |= 1UL << chosen;
        }
    }

    /// <summary>
    /// A position among <paramref name="count"/> candidates drawn before the scan (none for one candidate): when it turns
    /// out to be among the least loaded it is taken, otherwise one of those is drawn. Each of k tied members is then
    /// taken with probability 1/n + (n - k)/n x 1/k = 1/k, as with a draw among them alone; but when every member ties
    /// (an idle cluster) the member is known before the scan ends, so taking its slot need not wait for the scan.
    /// </summary>
    private static int Guess(int count, RandomSource? custom, LeaseThread local) => count > 1 ? Draw(count, custom, local) : 0;

    /// <summary>The lowest-loaded member's bit in <paramref name="lowest"/>: the only one, or one drawn among the tied, so concurrent selectors spread over them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Choose(ulong lowest, RandomSource? custom, LeaseThread local) =>
        (lowest & (lowest - 1)) == 0
            ? BitMath.TrailingZeroCount(lowest)
            : BitMath.NthSetBit(lowest, Draw(BitMath.PopCount(lowest), custom, local));

    private static int Draw(int bound, RandomSource? custom, LeaseThread local) =>
        custom is null ? local.NextRandom(bound) : custom.Next(bound);
}
