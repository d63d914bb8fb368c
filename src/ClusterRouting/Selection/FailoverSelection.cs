namespace ClusterRouting;

/// <summary>The primary whenever it can take the operation, otherwise the next eligible member in order.</summary>
internal static class FailoverSelection
{
    /// <summary>Returns the position in <paramref name="candidates"/> of the member that took a slot, or -1.</summary>
    public static int Select<TFilter>(Candidate[] candidates, TFilter filter, ref int stripe, out int probeEpoch)
        where TFilter : struct, ICandidateFilter
    {
        probeEpoch = -1;
        for (int i = 0; i < candidates.Length; i++)
        {
            if (filter.Allows(candidates[i].State) && candidates[i].TryAcquire(ref stripe, out probeEpoch))
            {
                return i;
            }
        }

        return -1;
    }
}
