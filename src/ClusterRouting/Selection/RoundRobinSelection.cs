namespace ClusterRouting;

/// <summary>An even rotation over the eligible members; a member that cannot take a slot passes its turn to the next.</summary>
internal static class RoundRobinSelection
{
    /// <summary>Returns the position in <see cref="ClusterSnapshot.Eligible"/> of the member that took a slot, or -1.</summary>
    public static int Select(ClusterSnapshot snapshot, ref int cursor)
    {
        Candidate[] eligible = snapshot.Eligible;
        int count = eligible.Length;
        if (count == 0)
        {
            return -1;
        }

        // Masking the sign bit keeps the rotation going when the counter wraps past int.MaxValue.
        int start = (Interlocked.Increment(ref cursor) & int.MaxValue) % count;
        int index = start;
        for (int tried = 0; tried < count; tried++)
        {
            if (eligible[index].TryAcquire())
            {
                return index;
            }

            index = index + 1 == count ? 0 : index + 1;
        }

        return -1;
    }
}
