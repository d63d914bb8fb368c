namespace ClusterRouting;

/// <summary>
/// The in-flight counts of up to <see cref="Columns"/> members of one cluster, laid out by stripe: one row of 128
/// bytes per stripe (<see cref="Stripes"/>), one column per member. A thread counts only on its stripe's row, so threads
/// on different stripes still write different cache lines; and a selection that compares every member's load
/// (<see cref="SelectionMode.LeastLoaded"/>) reads one line per stripe for the whole cluster instead of one per member
/// and stripe, which it can sum a row at a time.
/// </summary>
/// <remarks>
/// A member takes a column when it is created and gives it back only when its <see cref="MemberSlots"/> is collected
/// (its finalizer): by then no snapshot, selection or lease can reach it, so the next member to take the column cannot
/// see its counts. A column is zeroed when it is taken.
/// </remarks>
internal sealed class SlotBoard
{
    /// <summary>Members per board: one <see cref="int"/> each in a row of 128 bytes.</summary>
    public const int Columns = Stripes.Spacing;

    // Bit c set: column c is free.
    private int _free = -1;

    /// <summary>Gets the counts: stripe s's row starts at <see cref="Stripes.Offset"/>(s), with a row of padding before the first and after the last.</summary>
    public int[] Counts { get; } = new int[Stripes.ArrayLength + Stripes.Spacing];

    /// <summary>Takes a free column, zeroed.</summary>
    /// <returns>Whether a column was free.</returns>
    public bool TryRent(out int column)
    {
        int free = Volatile.Read(ref _free);
        while (free != 0)
        {
            int taken = BitMath.TrailingZeroCount((uint)free);
            int seen = Interlocked.CompareExchange(ref _free, free & ~(1 << taken), free);
            if (seen == free)
            {
                for (int stripe = 0; stripe < Stripes.Count; stripe++)
                {
                    Volatile.Write(ref Counts[Stripes.Offset(stripe) + taken], 0);
                }

                column = taken;
                return true;
            }

            free = seen;
        }

        column = -1;
        return false;
    }

    /// <summary>Gives a column back. Called by the finalizer of the slots that held it.</summary>
    public void Return(int column)
    {
        int free = Volatile.Read(ref _free);
        while (true)
        {
            int seen = Interlocked.CompareExchange(ref _free, free | (1 << column), free);
            if (seen == free)
            {
                return;
            }

            free = seen;
        }
    }
}
