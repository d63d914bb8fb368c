using System.Runtime.CompilerServices;

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
    /// <param name="custom">The cluster's own random source, or <see langword="null"/> for <see cref="RandomSource.Shared"/>.</param>
    /// <param name="local">The calling thread's state, whose generator the shared source is.</param>
    /// <param name="filter">Which members may be taken.</param>
    /// <param name="stripe">The calling thread's stripe.</param>
    public static Pick Select<TFilter>(Candidate[] candidates, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        return candidates.Length <= Window
            ? SelectAll(candidates, custom, local, filter, stripe)
            : SelectInWindows(candidates, custom, local, filter, stripe);
    }

    /// <summary><see cref="SelectIn"/> over every candidate, without wrapping round: a cluster of up to <see cref="Window"/> members.</summary>
    private static Pick SelectAll<TFilter>(Candidate[] candidates, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter =>
        SelectIn(candidates, default(Whole), candidates.Length, custom, local, filter, stripe);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Pick SelectInWindows<TFilter>(Candidate[] candidates, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        int count = candidates.Length;
        int start = Draw(count, custom, local);
        // Stryker disable once Equality : covered == count (a multiple of the window) scans an empty window that picks nothing; a window starting at count wraps to 0 in Wrapping.Position, as starting at 0 does (the mark also covers the reversed comparisons, which the tests of more members than one scan compares refute)
        for (int covered = 0; covered < count; covered += Window)
        {
            int first = start + covered;
            var window = new Wrapping(first >= count ? first - count : first, count);
            Pick pick = SelectIn(candidates, window, Math.Min(Window, count - covered), custom, local, filter, stripe);
            if (pick.IsTaken)
            {
                return pick;
            }
        }

        return Pick.None;
    }

    /// <summary>The least loaded of the <paramref name="length"/> candidates the window maps offsets 0, 1, ... to, that takes a slot.</summary>
    private static Pick SelectIn<TFilter, TWindow>(Candidate[] candidates, TWindow window, int length, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
        where TWindow : struct, IWindow
    {
        ulong refused = 0;
        while (true)
        {
            ulong lowest = 0;
            long lowestInFlight = 0;
            long lowestCapacity = 0;
            for (int offset = 0; offset < length; offset++)
            {
                ref readonly Candidate candidate = ref candidates[window.Position(offset)];
                ulong bit = 1UL << offset;
                if ((refused & bit) != 0 || !filter.Allows(candidate.Slots))
                {
                    continue;
                }

                int inFlight = MemberSlots.SumOfStripes(candidate.Counts);
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
            int taken = window.Position(chosen);
            Pick pick = candidates[taken].TryAcquire(stripe, taken);
            if (pick.IsTaken)
            {
                return pick;
            }

            // It filled up (or its probe was taken) since the scan read it: compare the rest again.
            // Stryker disable once Assignment : chosen came from the members not refused yet, so its bit is clear and ^= sets it as |= does (the mark also covers &=, which forgets every refusal)
            refused |= 1UL << chosen;
        }
    }

    /// <summary>The lowest-loaded member's bit in <paramref name="lowest"/>: the only one, or one drawn among the tied, so concurrent selectors spread over them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Choose(ulong lowest, RandomSource? custom, LeaseThread local) =>
        (lowest & (lowest - 1)) == 0
            ? BitMath.TrailingZeroCount(lowest)
            : BitMath.NthSetBit(lowest, Draw(BitMath.PopCount(lowest), custom, local));

    private static int Draw(int bound, RandomSource? custom, LeaseThread local) =>
        custom is null ? local.NextRandom(bound) : custom.Next(bound);

    /// <summary>Maps a scan's offsets to candidate positions; a struct per mapping, so each scan is compiled for its own.</summary>
    private interface IWindow
    {
        int Position(int offset);
    }

    /// <summary>Every candidate, from the first: the offset is the position.</summary>
    private readonly struct Whole : IWindow
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Position(int offset) => offset;
    }

    /// <summary>Candidates from a start, wrapping round past the last.</summary>
    private readonly struct Wrapping : IWindow
    {
        private readonly int _start;
        private readonly int _count;

        public Wrapping(int start, int count)
        {
            _start = start;
            _count = count;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Position(int offset)
        {
            int position = _start + offset;
            return position >= _count ? position - _count : position;
        }
    }
}
