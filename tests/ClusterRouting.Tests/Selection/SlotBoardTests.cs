using System.Runtime.CompilerServices;
using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Selection;

public class SlotBoardTests
{
    [Fact]
    public void TryRent_GivesEachColumnOnce_UntilTheBoardIsFull()
    {
        var board = new SlotBoard();

        int[] columns = Enumerable.Range(0, SlotBoard.Columns).Select(_ => board.TryRent(out int column) ? column : -1).ToArray();

        Assert.Equal(Enumerable.Range(0, SlotBoard.Columns), columns.Order());
        Assert.False(board.TryRent(out int none));
        Assert.Equal(-1, none);
    }

    [Fact]
    public void Return_MakesTheColumnFreeAgain_AndItIsZeroedWhenTakenAgain()
    {
        var board = new SlotBoard();
        for (int i = 0; i < SlotBoard.Columns; i++)
        {
            board.TryRent(out _);
        }

        board.Counts[SlotBoard.Offset(0) + 7] = 5; // counts a leaked lease left behind
        board.Return(7);

        Assert.True(board.TryRent(out int again));
        Assert.Equal(7, again);
        Assert.All(Enumerable.Range(0, Stripes.Count), stripe => Assert.Equal(0, board.Counts[SlotBoard.Offset(stripe) + 7]));
    }

    [Fact]
    public void MembersOfOneCluster_ShareABoard_EachCountingInItsOwnColumn()
    {
        using ClusterSelector cluster = Clusters.Create(3, SelectionMode.Failover);
        Candidate[] eligible = cluster.Snapshot.Eligible;

        Assert.All(eligible, c => Assert.Same(eligible[0].Counts, c.Counts));
        Assert.Equal(3, eligible.Select(c => c.Column).Distinct().Count());
        using MemberLease a = cluster.Select();
        using MemberLease b = cluster.Select();
        Assert.Equal([2, 0, 0], cluster.GetStatus().Members.Select(m => m.InFlight));
    }

    [Fact]
    public void SlotBoards_MoreMembersThanColumns_TakeANewBoard()
    {
        var boards = new SlotBoards();

        (SlotBoard Board, int Column)[] taken = Enumerable.Range(0, SlotBoard.Columns + 1).Select(_ => boards.Rent()).ToArray();

        Assert.Single(taken.Skip(SlotBoard.Columns).Select(t => t.Board).Distinct());
        Assert.NotSame(taken[0].Board, taken[^1].Board);
        Assert.Equal(0, taken[^1].Column);
    }

    [Fact]
    public void ColumnOfAMemberNothingReachesAnyMore_IsTakenAgain()
    {
        var boards = new SlotBoards();
        List<MemberState> kept = FillTheFirstBoardAndDropTheLastMember(boards);
        int[] first = kept[0].Slots.Counts;

        // The dropped member's slots are finalized and give their column back; the next member takes it there.
        int again = -1;
        for (int attempt = 0; attempt < 20 && again < 0; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            (SlotBoard board, int column) = boards.Rent();
            if (ReferenceEquals(board.Counts, first))
            {
                again = column;
            }
            else
            {
                board.Return(column);
            }
        }

        Assert.Equal(SlotBoard.Columns - 1, again);
        GC.KeepAlive(kept);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static List<MemberState> FillTheFirstBoardAndDropTheLastMember(SlotBoards boards)
    {
        var kept = new List<MemberState>();
        for (int i = 0; i < SlotBoard.Columns - 1; i++)
        {
            kept.Add(new MemberState($"gw-{i}", boards));
        }

        var dropped = new MemberState("dropped", boards);
        Assert.Same(kept[0].Slots.Counts, dropped.Slots.Counts);
        Assert.Equal(SlotBoard.Columns - 1, dropped.Slots.Column);
        return kept;
    }
}
