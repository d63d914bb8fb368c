using System.Buffers;
using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// Uniformly random among the eligible members. When the drawn member cannot take a slot, the next draw is uniform
/// over the members not tried yet (a partial Fisher-Yates shuffle), so no member is favoured for sitting next to a
/// busy one.
/// </summary>
internal static class RandomSelection
{
    private const int StackAllocLimit = 128;

    /// <summary>Returns the position in <paramref name="candidates"/> of the member that took a slot, or -1.</summary>
    public static int Select<TFilter>(Candidate[] candidates, RandomSource random, LeaseThread local, TFilter filter, ref int stripe, out int probeEpoch)
        where TFilter : struct, ICandidateFilter
    {
        probeEpoch = -1;
        int count = candidates.Length;
        if (count == 0)
        {
            return -1;
        }

        // The shared source is drawn from directly: no virtual call, no argument check, no second thread-static read. The
        // redraws after a busy member (rare) go through the source.
        int first = random is RandomSource.SharedRandomSource ? local.NextRandom(count) : random.Next(count);
        if (filter.Allows(candidates[first].State) && candidates[first].TryAcquire(ref stripe, out probeEpoch))
        {
            return first;
        }

        return count == 1 ? -1 : SelectAmongRest(candidates, random, first, filter, ref stripe, out probeEpoch);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int SelectAmongRest<TFilter>(Candidate[] candidates, RandomSource random, int tried, TFilter filter, ref int stripe, out int probeEpoch)
        where TFilter : struct, ICandidateFilter
    {
        probeEpoch = -1;
        int count = candidates.Length;
        int[]? rented = null;
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
                int draw = random.Next(remaining);
                int candidate = untried[draw];
                if (filter.Allows(candidates[candidate].State) && candidates[candidate].TryAcquire(ref stripe, out probeEpoch))
                {
                    return candidate;
                }

                remaining--;
                untried[draw] = untried[remaining];
            }

            return -1;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }
}
