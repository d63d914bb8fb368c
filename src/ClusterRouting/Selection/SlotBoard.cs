namespace ClusterRouting;

/// <summary>
/// The in-flight counts of up to <see cref="Columns"/> members of one cluster, laid out by stripe: one row of 128
/// bytes per stripe (<see cref="Stripes"/>), one column per member, the rows 256 bytes apart (<see cref="RowStride"/>) so
/// that no 128-byte pair of lines that the adjacent-line prefetcher fetches together holds two rows, wherever the
/// array lies. A thread counts only on its stripe's row, so threads on different stripes still write different lines; and a selection that compares every member's load
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

    /// <summary>How far apart two rows are, in <see cref="int"/>s: 256 bytes.</summary>
    public const int RowStride = 2 * Stripes.Spacing;

    /// <summary><see cref="Offset"/> of the last stripe's row.</summary>
    public static readonly int LastOffset = Stripes.Count * RowStride;

    // Bit c set: column c is free.
    private int _free = -1;

    /// <summary>Where in <see cref="Counts"/> the epoch is: in the padding before the first row.</summary>
    public const int EpochOffset = 0;

    /// <summary>
    /// Gets the counts: stripe s's row starts at <see cref="Offset"/>(s), with padding before the first row and after
    /// the last. The padding's first <see cref="int"/> (<see cref="EpochOffset"/>) is the board's epoch: it moves on
    /// whenever a count changes on a row other than the changing thread's own (a slot borrowed from another stripe, or
    /// a column taken again), which cached views of the other rows (<see cref="LoadView"/>) check.
    /// </summary>
    public int[] Counts { get; } = new int[(Stripes.Count + 2) * RowStride];

    /// <summary>Where stripe <paramref name="stripe"/>'s row starts in <see cref="Counts"/>.</summary>
    public static int Offset(int stripe) => (stripe + 1) * RowStride;

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
                    Volatile.Write(ref Counts[Offset(stripe) + taken], 0);
                }

                Interlocked.Increment(ref Counts[EpochOffset]);
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
