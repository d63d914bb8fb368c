using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// The eligible member with the lowest load (operations in flight divided by <see cref="Candidate.Capacity"/>), by a
/// scan of every candidate; members tied for the lowest load are chosen among uniformly at random.
/// </summary>
/// <remarks>
/// <para>
/// Loads are compared exactly: as in-flight counts when every candidate has the same capacity (the usual case: one
/// limit, no weights), otherwise as cross products in 64 bits (in-flight counts are under 2^31 and capacities under
/// 2^31), so equal loads tie whatever the capacities. The tied members are kept as a bit mask while scanning, so a
/// selection makes one pass and, when there is a tie, at most one draw after it.
/// </para>
/// <para>
/// With the shared random source, the number the thread's generator will draw next is looked at before the scan, as a
/// position among all the scanned members: when the scan ends in a tie and that position is one of the tied members
/// (always, when every member ties), it is taken without waiting on a draw. A uniform draw over all the positions that
/// lands on a tied member is a uniform draw over the tied members, and a miss draws again among them, so the choice stays
/// uniform. A scan that finds one least loaded member leaves the number for the next draw.
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

    /// <summary>Returns what the least loaded member that could take a slot took, or <see cref="Pick.None"/>, when every candidate has the same capacity.</summary>
    /// <param name="candidates">The members to compare, all of the same <see cref="Candidate.Capacity"/>.</param>
    /// <param name="custom">The cluster's own random source, or <see langword="null"/> for <see cref="RandomSource.Shared"/>.</param>
    /// <param name="local">The calling thread's state, whose generator the shared source is.</param>
    /// <param name="filter">Which members may be taken.</param>
    /// <param name="stripe">The calling thread's stripe.</param>
    public static Pick Select<TFilter>(Candidate[] candidates, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter =>
        Select(candidates, LowestCount.None, custom, local, filter, stripe);

    /// <summary><see cref="Select{TFilter}"/> for candidates whose capacities differ (limits or weights): loads compared as cross products.</summary>
    /// <param name="candidates">The members to compare.</param>
    /// <param name="custom">The cluster's own random source, or <see langword="null"/> for <see cref="RandomSource.Shared"/>.</param>
    /// <param name="local">The calling thread's state, whose generator the shared source is.</param>
    /// <param name="filter">Which members may be taken.</param>
    /// <param name="stripe">The calling thread's stripe.</param>
    public static Pick SelectByCapacity<TFilter>(Candidate[] candidates, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter =>
        Select(candidates, LowestLoad.None, custom, local, filter, stripe);

    /// <summary>Whether every candidate has the same capacity, so that <see cref="Select{TFilter}"/> may compare their in-flight counts.</summary>
    public static bool HaveEqualCapacities(Candidate[] candidates)
    {
        foreach (Candidate candidate in candidates)
        {
            if (candidate.Capacity != candidates[0].Capacity)
            {
                return false;
            }
        }

        return true;
    }

    private static Pick Select<TFilter, TLowest>(Candidate[] candidates, TLowest none, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
        where TLowest : struct, ILowest
    {
        return candidates.Length <= Window
            ? SelectIn(candidates, default(Whole), candidates.Length, none, custom, local, filter, stripe)
            : SelectInWindows(candidates, none, custom, local, filter, stripe);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Pick SelectInWindows<TFilter, TLowest>(Candidate[] candidates, TLowest none, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
        where TLowest : struct, ILowest
    {
        int count = candidates.Length;
        int start = custom is null ? local.NextRandom(count) : custom.NextInRange(count);
        // Stryker disable once Equality : covered == count (a multiple of the window) scans an empty window that picks nothing; a window starting at count wraps to 0 in Wrapping.Position, as starting at 0 does (the mark also covers the reversed comparisons, which the tests of more members than one scan compares refute)
        for (int covered = 0; covered < count; covered += Window)
        {
            // start + covered may be past the last member (never past twice their number): Wrapping wraps it round.
            var window = new Wrapping(start + covered, count);
            Pick pick = SelectIn(candidates, window, Math.Min(Window, count - covered), none, custom, local, filter, stripe);
            if (pick.IsTaken)
            {
                return pick;
            }
        }

        return Pick.None;
    }

    /// <summary>The least loaded of the <paramref name="length"/> candidates the window maps offsets 0, 1, ... to, that takes a slot.</summary>
    private static Pick SelectIn<TFilter, TWindow, TLowest>(Candidate[] candidates, TWindow window, int length, TLowest none, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
        where TWindow : struct, IWindow
        where TLowest : struct, ILowest
    {
        ulong refused = 0;
        while (true)
        {
            // Looked at before the scan, so that a tie does not wait on a draw after it (see the remarks). A cluster's own
            // source is drawn from only for a tie, so its guess is never read.
            // Stryker disable once Unary : the guess is read only with the shared source (ChooseTied draws from a cluster's own source without it), so -1 and +1 are alike there
            int guess = custom is null ? local.PeekRandom(length) : -1;
            ulong tied = 0;
            TLowest lowest = none;
            ulong bit = 1;
            for (int offset = 0; offset < length; offset++, bit <<= 1)
            {
                ref readonly Candidate candidate = ref candidates[window.Position(offset)];
                if ((refused & bit) != 0 || !filter.Allows(candidate.Slots))
                {
                    continue;
                }

                int inFlight = MemberSlots.SumOfStripes(candidate.Counts);
                if (inFlight >= candidate.ConcurrencyLimit)
                {
                    continue;
                }

                if (lowest.IsAbove(inFlight, candidate.Capacity))
                {
                    tied = bit;
                    lowest.Set(inFlight, candidate.Capacity);
                }
                else if (lowest.IsEqualTo(inFlight, candidate.Capacity))
                {
                    tied |= bit;
                }
            }

            if (tied == 0)
            {
                return Pick.None;
            }

            int chosen = (tied & (tied - 1)) == 0 ? BitMath.TrailingZeroCount(tied) : ChooseTied(tied, guess, custom, local);
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

    /// <summary>One of the members tied for the lowest load (two or more bits of <paramref name="tied"/>), drawn uniformly, so concurrent selectors spread over them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ChooseTied(ulong tied, int guess, RandomSource? custom, LeaseThread local)
    {
        if (custom is not null)
        {
            return BitMath.NthSetBit(tied, custom.NextInRange(BitMath.PopCount(tied)));
        }

        // The guess is the shared generator's next number: taken now, whether it lands on a tied member or not.
        local.SkipRandom();
        return guess >= 0 && ((tied >> guess) & 1) != 0
            ? guess
            : BitMath.NthSetBit(tied, local.NextRandom(BitMath.PopCount(tied)));
    }

    /// <summary>The lowest load a scan has found so far, and how a member's load compares with it.</summary>
    private interface ILowest
    {
        /// <summary>Whether the lowest load so far is above that of <paramref name="inFlight"/> operations on <paramref name="capacity"/>.</summary>
        bool IsAbove(int inFlight, int capacity);

        /// <summary>Whether the lowest load so far is that of <paramref name="inFlight"/> operations on <paramref name="capacity"/>.</summary>
        bool IsEqualTo(int inFlight, int capacity);

        /// <summary>Makes the load of <paramref name="inFlight"/> operations on <paramref name="capacity"/> the lowest so far.</summary>
        void Set(int inFlight, int capacity);
    }

    /// <summary>For candidates of one capacity: their in-flight counts compare as their loads do.</summary>
    private struct LowestCount : ILowest
    {
        private int _inFlight;

        /// <summary>Above every member's: a member under its limit has fewer than <see cref="int.MaxValue"/> operations in flight.</summary>
        public static LowestCount None => new() { _inFlight = int.MaxValue };

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly bool IsAbove(int inFlight, int capacity) => _inFlight > inFlight;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly bool IsEqualTo(int inFlight, int capacity) => _inFlight == inFlight;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Set(int inFlight, int capacity) => _inFlight = inFlight;
    }

    /// <summary>For candidates of different capacities: inFlight / capacity compared with the lowest's, multiplied out.</summary>
    private struct LowestLoad : ILowest
    {
        private long _inFlight;
        private long _capacity;

        /// <summary>1 operation on a capacity of 0: above every member's load, a member's capacity being at least 1.</summary>
        public static LowestLoad None => new() { _inFlight = 1, _capacity = 0 };

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly bool IsAbove(int inFlight, int capacity) => _inFlight * capacity > inFlight * _capacity;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly bool IsEqualTo(int inFlight, int capacity) => _inFlight * capacity == inFlight * _capacity;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Set(int inFlight, int capacity)
        {
            _inFlight = inFlight;
            _capacity = capacity;
        }
    }

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

    /// <summary>Candidates from a start, wrapping round past the last: the start plus the window's length is under twice the count.</summary>
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
