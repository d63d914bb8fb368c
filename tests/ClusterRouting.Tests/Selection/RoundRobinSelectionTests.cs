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

    private static void SetAllEnabled(ClusterSelector cluster, bool enabled)
    {
        foreach (string id in new[] { "gw-0", "gw-1", "gw-2" })
        {
            cluster.SetMemberEnabled(id, enabled);
        }
    }
}
