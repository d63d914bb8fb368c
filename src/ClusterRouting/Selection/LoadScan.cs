namespace ClusterRouting;

/// <summary>
/// What a <see cref="SelectionMode.LeastLoaded"/> selection needs to compare every member's load column by column of
/// the <see cref="SlotBoard"/> (<see cref="LeastLoadedSelection"/>): built with a snapshot whose eligible members all
/// count on one board, with one capacity (so that the least loaded is the one with the fewest in flight) and no probe.
/// The scan then reads only the board's rows and two small arrays, not each member's candidate. Other snapshots compare
/// candidate by candidate.
/// </summary>
internal sealed class LoadScan
{
    private LoadScan(int[] counts, int[] limits, int[] positions)
    {
        Counts = counts;
        Limits = limits;
        Positions = positions;
    }

    /// <summary>Gets the board's counts.</summary>
    public int[] Counts { get; }

    /// <summary>Gets, for each column up to the last an eligible member holds, that member's limit; 0 for a column no eligible member holds, so it always reads as full.</summary>
    public int[] Limits { get; }

    /// <summary>Gets, for each column, the position in the snapshot's eligible members of the member in it.</summary>
    public int[] Positions { get; }


    /// <summary>The plan for <paramref name="eligible"/>, or <see langword="null"/> when they must be compared one by one.</summary>
    public static LoadScan? For(Candidate[] eligible)
    {
        if (eligible.Length == 0)
        {
            return null;
        }

        int[] counts = eligible[0].Counts;
        int capacity = eligible[0].Capacity;
        int lastColumn = 0;
        foreach (Candidate candidate in eligible)
        {
            if (!ReferenceEquals(candidate.Counts, counts) || candidate.Capacity != capacity || candidate.Probe is not null)
            {
                return null;
            }

            lastColumn = Math.Max(lastColumn, candidate.Column);
        }

        var limits = new int[lastColumn + 1];
        var positions = new int[lastColumn + 1];
        for (int position = 0; position < eligible.Length; position++)
        {
            limits[eligible[position].Column] = eligible[position].ConcurrencyLimit;
            positions[eligible[position].Column] = position;
        }

        return new LoadScan(counts, limits, positions);
    }
}
