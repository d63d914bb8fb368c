namespace ClusterRouting;

/// <summary>An even rotation over the eligible members; a member that cannot take a slot passes its turn to the next.</summary>
internal static class RoundRobinSelection
{
    /// <summary>Returns the position in <paramref name="candidates"/> of the member that took a slot, or -1.</summary>
    public static int Select<TFilter>(Candidate[] candidates, ref int cursor, TFilter filter, out int probeEpoch)
        where TFilter : struct, ICandidateFilter
    {
        probeEpoch = -1;
        int count = candidates.Length;
        if (count == 0)
        {
            return -1;
        }

        // Masking the sign bit keeps the rotation going when the counter wraps past int.MaxValue.
        int index = (Interlocked.Increment(ref cursor) & int.MaxValue) % count;
        for (int tried = 0; tried < count; tried++)
        {
            if (filter.Allows(candidates[index].State) && candidates[index].TryAcquire(out probeEpoch))
            {
                return index;
            }

            index = index + 1 == count ? 0 : index + 1;
        }

        return -1;
    }
}
