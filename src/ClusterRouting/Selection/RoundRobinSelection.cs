using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// An even rotation over the eligible members, or a smooth weighted one when their weights differ; a member that cannot
/// take a slot passes its turn to the next in failover order.
/// </summary>
/// <remarks>
/// The cursor is the calling thread's stripe of the cluster's cursors (<see cref="Stripes"/>), so a thread rotates
/// exactly and threads selecting at the same time do not write one shared counter. It is moved on with a plain read
/// and write: two threads that share a stripe and select at the same instant may both take the same turn, which only
/// evens out more slowly; the cursor stays a valid position either way.
/// </remarks>
internal static class RoundRobinSelection
{
    /// <summary>Returns what the member whose turn it was (or the next that could) took, or <see cref="Pick.None"/>.</summary>
    /// <param name="candidates">The members to rotate over.</param>
    /// <param name="cursor">The position whose turn it is; past the end (the cluster shrank) means the first.</param>
    /// <param name="filter">Which members may be taken.</param>
    /// <param name="stripe">The calling thread's stripe.</param>
    public static Pick Select<TFilter>(Candidate[] candidates, ref int cursor, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        int count = candidates.Length;
        int index = cursor;
        if ((uint)index >= (uint)count)
        {
            if (count == 0)
            {
                return Pick.None;
            }

            index = 0;
        }

        cursor = index + 1;
        return FromTurn(candidates, index, filter, stripe);
    }

    /// <summary>
    /// Returns what the member whose turn it is in the smooth weighted order took, or, when it cannot, what the next
    /// member in failover order that could took; <see cref="Pick.None"/> when none could.
    /// </summary>
    /// <param name="candidates">The members to rotate over.</param>
    /// <param name="order">The snapshot's smooth weighted order of positions in <paramref name="candidates"/>.</param>
    /// <param name="cursor">The turn in <paramref name="order"/>; past the end means the first.</param>
    /// <param name="filter">Which members may be taken.</param>
    /// <param name="stripe">The calling thread's stripe.</param>
    public static Pick SelectWeighted<TFilter>(Candidate[] candidates, int[] order, ref int cursor, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        int turn = cursor;
        if ((uint)turn >= (uint)order.Length)
        {
            turn = 0;
        }

        cursor = turn + 1;
        return FromTurn(candidates, order[turn], filter, stripe);
    }

    /// <summary>What the member at <paramref name="index"/> took, or else the next one round that could; <see cref="Pick.None"/> when none could.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Pick FromTurn<TFilter>(Candidate[] candidates, int index, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        // The member whose turn it is, inline; the walk past it (rare) out of line, so that its loop does not take
        // registers from the selection that follows the common case.
        if (filter.Allows(candidates[index].Slots))
        {
            Pick pick = candidates[index].TryAcquire(stripe, index);
            if (pick.IsTaken)
            {
                return pick;
            }
        }

        return AfterTurn(candidates, index, filter, stripe);
    }

    /// <summary>What the first member after <paramref name="turn"/>, round the array, that could take a slot took; <see cref="Pick.None"/> when none could.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Pick AfterTurn<TFilter>(Candidate[] candidates, int turn, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        int count = candidates.Length;
        int index = turn;
        for (int step = 1; step < count; step++)
        {
            index = index + 1 == count ? 0 : index + 1;
            if (filter.Allows(candidates[index].Slots))
            {
                Pick pick = candidates[index].TryAcquire(stripe, index);
                if (pick.IsTaken)
                {
                    return pick;
                }
            }
        }

        return Pick.None;
    }
}
