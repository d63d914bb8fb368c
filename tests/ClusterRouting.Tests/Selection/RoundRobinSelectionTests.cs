using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Selection;

public class RoundRobinSelectionTests
{
    [Fact]
    public void Select_RotatesInOrderStartingAtThePrimary()
    {
        ClusterSelector cluster = Clusters.Create(3, SelectionMode.RoundRobin);

        string?[] picks = Enumerable.Range(0, 7).Select(_ => cluster.SelectOnce()).ToArray();

        Assert.Equal(new[] { "gw-0", "gw-1", "gw-2", "gw-0", "gw-1", "gw-2", "gw-0" }, picks);
    }

    [Fact]
    public void Select_DisabledMember_RotatesOverTheOthersOnly()
    {
        ClusterSelector cluster = Clusters.Create(3, SelectionMode.RoundRobin);
        cluster.SetMemberEnabled("gw-1", false);

        string?[] picks = Enumerable.Range(0, 6).Select(_ => cluster.SelectOnce()).ToArray();

        Assert.Equal(3, picks.Count(p => p == "gw-0"));
        Assert.Equal(3, picks.Count(p => p == "gw-2"));
    }

    [Fact]
    public void Select_NoEligibleMember_DoesNotMoveTheRotationOn()
    {
        ClusterSelector cluster = Clusters.Create(3, SelectionMode.RoundRobin);
        Assert.Equal("gw-0", cluster.SelectOnce());
        Assert.Equal("gw-1", cluster.SelectOnce());
        SetAllEnabled(cluster, false);
        Assert.Null(cluster.SelectOnce());
        SetAllEnabled(cluster, true);

        Assert.Equal("gw-2", cluster.SelectOnce());
    }

    [Fact]
    public void Select_MemberAtConcurrencyLimit_PassesItsTurnToTheNext()
    {
        int stripe = 0;
        ClusterSnapshot snapshot = Snapshots.Create(3, concurrencyLimit: 1, SelectionMode.RoundRobin);
        Snapshots.Saturate(snapshot, 1);
        int cursor = 0;

        Assert.Equal(0, RoundRobinSelection.Select(snapshot.Eligible, ref cursor, default(NoFilter), stripe).Position);
        Assert.Equal(2, RoundRobinSelection.Select(snapshot.Eligible, ref cursor, default(NoFilter), stripe).Position);
        Assert.Equal(-1, RoundRobinSelection.Select(snapshot.Eligible, ref cursor, default(NoFilter), stripe).Position);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(int.MaxValue)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Select_CursorPastTheEnd_StartsAgainAtTheFirstMember(int start)
    {
        // A cursor can be past the end after the cluster shrank (or, in principle, anywhere after racing plain writes).
        ClusterSnapshot snapshot = Snapshots.Create(3, int.MaxValue, SelectionMode.RoundRobin);
        int stripe = 0;
        int cursor = start;
        var picks = new List<int>();

        for (int i = 0; i < 6; i++)
        {
            int index = RoundRobinSelection.Select(snapshot.Eligible, ref cursor, default(NoFilter), stripe).Position;
            snapshot.Eligible[index].Slots.Release(stripe);
            picks.Add(index);
        }

        Assert.Equal(new[] { 0, 1, 2, 0, 1, 2 }, picks);
    }

    [Fact]
    public void Select_NoEligibleMember_Fails()
    {
        ClusterSelector cluster = Clusters.Create(2, SelectionMode.RoundRobin);
        cluster.SetMemberEnabled("gw-0", false);
        cluster.SetMemberEnabled("gw-1", false);

        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));
        Assert.Equal(MemberRejectionReason.Disabled, failure.GetRejection(1).Reason);
    }

    [Theory]
    [InlineData(-1, new[] { 2, 3, 0, 1 }, -1)]
    [InlineData(1, new[] { 2, 3, 0, 1 }, 1)]
    [InlineData(3, new[] { 2, 3 }, 3)]
    [InlineData(2, new[] { 2 }, 2)]
    public void Select_WalksRoundFromTheTurn_AskingAboutEachMemberOnce(int allowed, int[] asked, int picked)
    {
        // The member whose turn it is is tried first, then the ones after it round the array, each once: a walk that
        // asked about a member twice (or skipped one) would show here.
        ClusterSnapshot snapshot = Snapshots.Create(4, int.MaxValue, SelectionMode.RoundRobin);
        var seen = new List<int>();
        var filter = new RecordingFilter(snapshot.Eligible, seen, allowed);
        int cursor = 2;

        Pick pick = RoundRobinSelection.Select(snapshot.Eligible, ref cursor, filter, stripe: 0);

        Assert.Equal(picked, pick.Position);
        Assert.Equal(asked, seen);
        Assert.Equal(3, cursor);
    }

    [Fact]
    public void SelectWeighted_WalksRoundFromTheTurnsMember_AskingAboutEachMemberOnce()
    {
        ClusterSnapshot snapshot = Snapshots.Create(3, int.MaxValue, SelectionMode.RoundRobin);
        var seen = new List<int>();
        var filter = new RecordingFilter(snapshot.Eligible, seen, allowed: -1);
        int[] order = [0, 0, 2, 1];
        int cursor = 2;

        Pick pick = RoundRobinSelection.SelectWeighted(snapshot.Eligible, order, ref cursor, filter, stripe: 0);

        Assert.False(pick.IsTaken);
        Assert.Equal(new[] { 2, 0, 1 }, seen);
        Assert.Equal(3, cursor);
    }

    private static void SetAllEnabled(ClusterSelector cluster, bool enabled)
    {
        foreach (string id in new[] { "gw-0", "gw-1", "gw-2" })
        {
            cluster.SetMemberEnabled(id, enabled);
        }
    }

    /// <summary>Records the position of every member it is asked about; allows only the member at <c>allowed</c>.</summary>
    private readonly struct RecordingFilter(Candidate[] candidates, List<int> seen, int allowed) : ICandidateFilter
    {
        public bool Allows(MemberSlots member)
        {
            int position = Array.FindIndex(candidates, candidate => ReferenceEquals(candidate.Slots, member));
            seen.Add(position);
            return position == allowed;
        }
    }
}
