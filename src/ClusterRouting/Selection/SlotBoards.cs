namespace ClusterRouting;

/// <summary>
/// A cluster's <see cref="SlotBoard"/>s: new members take a column on a board that has one free, so that while the
/// cluster has at most <see cref="SlotBoard.Columns"/> members (counting removed ones whose slots are still reachable)
/// they all share one. Members are created under the cluster's lock; columns come back from finalizers.
/// </summary>
internal sealed class SlotBoards
{
    private readonly List<SlotBoard> _boards = new();

    /// <summary>A column for a new member's slots.</summary>
    public (SlotBoard Board, int Column) Rent()
    {
        lock (_boards)
        {
            foreach (SlotBoard board in _boards)
            {
                if (board.TryRent(out int column))
                {
                    return (board, column);
                }
            }

            var added = new SlotBoard();
            _boards.Add(added);
            added.TryRent(out int first);
            return (added, first);
        }
    }
}
