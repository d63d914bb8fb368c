namespace ClusterRouting;

/// <summary>The primary whenever it can take the operation, otherwise the next eligible member in order.</summary>
internal static class FailoverSelection
{
    /// <summary>Returns what the first member in order that could take a slot took, or <see cref="Pick.None"/>.</summary>
    public static Pick Select<TFilter>(Candidate[] candidates, TFilter filter, int stripe)
        where TFilter : struct, ICandidateFilter
    {
        for (int i = 0; i < candidates.Length; i++)
        {
            if (filter.Allows(candidates[i].Slots))
            {
                Pick pick = candidates[i].TryAcquire(stripe, i);
                if (pick.IsTaken)
                {
                    return pick;
                }
            }
        }

        return Pick.None;
    }
}
