namespace ClusterRouting;

/// <summary>An even rotation over the eligible members; a member that cannot take a slot passes its turn to the next.</summary>
/// <remarks>
/// The cursor is the calling thread's stripe of the cluster's cursors (<see cref="Stripes"/>), so a thread rotates
/// exactly and threads selecting at the same time do not write one shared counter. It is moved on with a plain read
/// and write: two threads that share a stripe and select at the same instant may both take the same turn, which only
/// evens out more slowly; the cursor stays a valid position either way.
/// </remarks>
internal static class RoundRobinSelection
{
    /// <summary>Returns the position in <paramref name="candidates"/> of the member that took a slot, or -1.</summary>
    /// <param name="candidates">The members to rotate over.</param>
    /// <param name="cursor">The position whose turn it is; past the end (the cluster shrank) means the first.</param>
    /// <param name="filter">Which members may be taken.</param>
    /// <param name="stripe">The calling thread's stripe; on success, the stripe the slot was taken on.</param>
    /// <param name="probeEpoch">The epoch of the probe taken, or -1.</param>
    public static int Select<TFilter>(Candidate[] candidates, ref int cursor, TFilter filter, ref int stripe, out int probeEpoch)
        where TFilter : struct, ICandidateFilter
    {
        probeEpoch = -1;
        int count = candidates.Length;
        int index = cursor;
        if ((uint)index >= (uint)count)
        {
            if (count == 0)
            {
                return -1;
            }

            index = 0;
        }

        cursor = index + 1;
        for (int tried = 0; tried < count; tried++)
        {
            if (filter.Allows(candidates[index].State) && candidates[index].TryAcquire(ref stripe, out probeEpoch))
            {
                return index;
            }

            index = index + 1 == count ? 0 : index + 1;
        }

        return -1;
    }
}
