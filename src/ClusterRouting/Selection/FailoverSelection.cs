namespace ClusterRouting;

/// <summary>The primary whenever it can take the operation, otherwise the next eligible member in order.</summary>
internal static class FailoverSelection
{
    /// <summary>Returns the position in <see cref="ClusterSnapshot.Eligible"/> of the member that took a slot, or -1.</summary>
    public static int Select(ClusterSnapshot snapshot)
    {
        Candidate[] eligible = snapshot.Eligible;
        for (int i = 0; i < eligible.Length; i++)
        {
            if (eligible[i].TryAcquire())
            {
                return i;
            }
        }

        return -1;
    }
}
