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
    public void Select_MemberAtConcurrencyLimit_PassesItsTurnToTheNext()
    {
        ClusterSnapshot snapshot = Snapshots.Create(3, concurrencyLimit: 1, SelectionMode.RoundRobin);
        Snapshots.Saturate(snapshot, 1);
        int cursor = -1;

        Assert.Equal(0, RoundRobinSelection.Select(snapshot.Eligible, ref cursor, default(NoFilter), out _));
        Assert.Equal(2, RoundRobinSelection.Select(snapshot.Eligible, ref cursor, default(NoFilter), out _));
        Assert.Equal(-1, RoundRobinSelection.Select(snapshot.Eligible, ref cursor, default(NoFilter), out _));
    }

    [Fact]
    public void Select_CursorPastIntMaxValue_KeepsRotating()
    {
        ClusterSnapshot snapshot = Snapshots.Create(3, int.MaxValue, SelectionMode.RoundRobin);
        int cursor = int.MaxValue - 1;
        var picks = new List<int>();

        for (int i = 0; i < 6; i++)
        {
            int index = RoundRobinSelection.Select(snapshot.Eligible, ref cursor, default(NoFilter), out _);
            snapshot.Eligible[index].State.Release();
            picks.Add(index);
        }

        Assert.All(picks, p => Assert.InRange(p, 0, 2));
        Assert.Equal(picks.Count, picks.Zip(picks.Skip(1)).Count(pair => pair.First != pair.Second) + 1);
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
}
