using System.Buffers;
using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// Uniformly random among the eligible members, or in proportion to their weights when these differ. When the drawn
/// member cannot take a slot, the next draw is over the members not tried yet (uniform: a partial Fisher-Yates
/// shuffle; weighted: by the weights left), so no member is favoured for sitting next to a busy one.
/// </summary>
internal static class RandomSelection
{
    private const int StackAllocLimit = 128;

    /// <summary>Returns what the drawn member (or, when it was busy, a member drawn from the rest) took, or <see cref="Pick.None"/>.</summary>
    /// <param name="candidates">The members to draw from.</param>
    /// <param name="custom">The cluster's own random source, or <see langword="null"/> for <see cref="RandomSource.Shared"/>.</param>
    /// <param name="local">The calling thread's state, whose generator the shared source is.</param>
    /// <param name="filter">Which members may be taken.</param>
    /// <param name="stripe">The calling thread's stripe.</param>
    public static Pick Select<TFilter>(Candidate[] candidates, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        int count = candidates.Length;
        if (count == 0)
        {
            return Pick.None;
        }

        // The shared source is drawn from directly: no virtual call, no argument check, no second thread-static read. The
        // redraws after a busy member (rare) go through the source.
        int first = custom is null ? local.NextRandom(count) : custom.NextInRange(count);
        if (filter.Allows(candidates[first].Slots))
        {
            Pick pick = candidates[first].TryAcquire(stripe, first);
            if (pick.IsTaken)
            {
                return pick;
            }
        }

        // Stryker disable once Conditional : with one member the rest is empty, and SelectAmongRest finds nothing there either (the mark also covers the variant that never looks at the rest, which RandomSelectionTests refute)
        return count == 1 ? Pick.None : SelectAmongRest(candidates, custom ?? RandomSource.Shared, first, filter, stripe);
    }

    /// <summary>
    /// Returns what a member drawn in proportion to its weight took (or, when it was busy, a member drawn from the rest,
    /// again by weight), or <see cref="Pick.None"/>.
    /// </summary>
    /// <param name="candidates">The members to draw from.</param>
    /// <param name="order">The snapshot's smooth weighted order: each member appears in it as often as its weight, so a uniform draw from it is a weighted draw.</param>
    /// <param name="custom">The cluster's own random source, or <see langword="null"/> for <see cref="RandomSource.Shared"/>.</param>
    /// <param name="local">The calling thread's state, whose generator the shared source is.</param>
    /// <param name="filter">Which members may be taken.</param>
    /// <param name="stripe">The calling thread's stripe.</param>
    public static Pick SelectWeighted<TFilter>(Candidate[] candidates, int[] order, RandomSource? custom, LeaseThread local, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        int first = order[custom is null ? local.NextRandom(order.Length) : custom.NextInRange(order.Length)];
        if (filter.Allows(candidates[first].Slots))
        {
            Pick pick = candidates[first].TryAcquire(stripe, first);
            if (pick.IsTaken)
            {
                return pick;
            }
        }

        // Stryker disable once Conditional : with one member the rest weighs nothing, and SelectAmongRestWeighted finds nothing there either (the mark also covers the variant that never looks at the rest, which RandomSelectionTests refute)
        return candidates.Length == 1 ? Pick.None : SelectAmongRestWeighted(candidates, custom ?? RandomSource.Shared, first, filter, stripe);
    }

    /// <summary>Draws among the members not tried yet in proportion to their weights, until one takes a slot.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Pick SelectAmongRestWeighted<TFilter>(Candidate[] candidates, RandomSource random, int tried, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        int count = candidates.Length;
        int[]? rented = null;
        Span<int> weights = count <= StackAllocLimit
            ? stackalloc int[StackAllocLimit]
            : (rented = ArrayPool<int>.Shared.Rent(count));
        try
        {
            // The weights are the snapshot's shares over their greatest common divisor (up to 100 x 1000 each), so many
            // members can weigh more than an int holds: then they are halved (each kept at least 1) until the sum fits.
            long sum = 0;
            for (int i = 0; i < count; i++)
            {
                sum += i == tried ? 0 : candidates[i].Weight;
            }

            int shift = 0;
            while ((sum >> shift) > int.MaxValue - count)
            {
                shift++;
            }

            int total = 0;
            for (int i = 0; i < count; i++)
            {
                weights[i] = i == tried ? 0 : Math.Max(1, candidates[i].Weight >> shift);
                total += weights[i];
            }

            while (total > 0)
            {
                int draw = random.NextInRange(total);
                int candidate = 0;
                while (draw >= weights[candidate])
                {
                    draw -= weights[candidate];
                    candidate++;
                }

                if (filter.Allows(candidates[candidate].Slots))
                {
                    Pick pick = candidates[candidate].TryAcquire(stripe, candidate);
                    if (pick.IsTaken)
                    {
                        return pick;
                    }
                }

                total -= weights[candidate];
                weights[candidate] = 0;
            }

            return Pick.None;
        }
        finally
        {
            if (rented is not null)
            {
                // Stryker disable once Statement : a rented array not returned to the pool is only garbage; no result changes
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Pick SelectAmongRest<TFilter>(Candidate[] candidates, RandomSource random, int tried, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        int count = candidates.Length;
        int[]? rented = null;
        // Stryker disable once Conditional,Equality : the stack or a rented array hold the same positions, so a count at the limit (or any count) going to a rented array changes no result, only a pool round trip (the variants that put more than the limit on the stack overrun it, which the tests of clusters over 128 members refute)
        Span<int> untried = count <= StackAllocLimit
            ? stackalloc int[StackAllocLimit]
            : (rented = ArrayPool<int>.Shared.Rent(count));
        try
        {
            for (int i = 0; i < count; i++)
            {
                untried[i] = i;
            }

            int remaining = count - 1;
            untried[tried] = untried[remaining];
            while (remaining > 0)
            {
                int draw = random.NextInRange(remaining);
                int candidate = untried[draw];
                if (filter.Allows(candidates[candidate].Slots))
                {
                    Pick pick = candidates[candidate].TryAcquire(stripe, candidate);
                    if (pick.IsTaken)
                    {
                        return pick;
                    }
                }

                remaining--;
                untried[draw] = untried[remaining];
            }

            return Pick.None;
        }
        finally
        {
            // Stryker disable once Block : a rented array not returned to the pool is only garbage; no result changes
            if (rented is not null)
            {
                // Stryker disable once Statement : a rented array not returned to the pool is only garbage; no result changes
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }
}
