namespace ClusterRouting;

/// <summary>The primary or nothing: for an operation that only the primary (the first member) may run.</summary>
internal static class PrimarySelection
{
    /// <summary>Returns what the primary took, if it is the first of <paramref name="candidates"/>; otherwise <see cref="Pick.None"/>.</summary>
    public static Pick Select(Candidate[] candidates, int stripe) =>
        candidates.Length > 0 && candidates[0].Index == 0 ? candidates[0].TryAcquire(stripe, 0) : Pick.None;

    /// <summary>
    /// Returns what a penalized primary took: its probe with a slot, one primary-only operation at a time, since no
    /// other member may take the operation. <paramref name="penalized"/> is the snapshot's penalized members.
    /// </summary>
    public static Pick SelectPenalized(Candidate[] penalized, int stripe)
    {
        if (penalized.Length == 0 || penalized[0].Index != 0)
        {
            return Pick.None;
        }

        Candidate primary = penalized[0];
        return new Candidate(primary.Slots, primary.ConcurrencyLimit, 0, primary.Slots.Member.Penalty.Probe, primary.Weight, primary.Capacity).TryAcquire(stripe, 0);
    }
}
