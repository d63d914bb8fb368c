namespace ClusterRouting;

/// <summary>The primary or nothing: for an operation that only the primary (the first member) may run.</summary>
internal static class PrimarySelection
{
    /// <summary>Returns what the primary took, if it is the first of <paramref name="candidates"/>; otherwise <see cref="Pick.None"/>.</summary>
    public static Pick Select(Candidate[] candidates, int stripe) =>
        candidates.Length > 0 && candidates[0].Index == 0 ? candidates[0].TryAcquire(stripe, 0) : Pick.None;
}
