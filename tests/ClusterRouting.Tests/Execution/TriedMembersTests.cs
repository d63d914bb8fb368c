namespace ClusterRouting.Tests.Execution;

/// <summary>
/// <see cref="TriedMembers"/>: the members one run has tried, which its later attempts (failovers and hedges) leave
/// out, however many it tries.
/// </summary>
public class TriedMembersTests
{
    [Fact]
    public void Empty_LeavesNothingOut()
    {
        TriedMembers tried = default;
        MemberSlots member = Member(0);

        Assert.Equal(0, tried.Count);
        Assert.True(tried.Exclude().Allows(member));
    }

    [Fact]
    public void Added_IsLeftOut_AndOthersAreNot()
    {
        TriedMembers tried = default;
        (MemberSlots first, MemberSlots second) = (Member(0), Member(1));

        tried.Add(first, clusterSize: 2);

        Assert.Equal(1, tried.Count);
        Assert.False(tried.Exclude().Allows(first));
        Assert.True(tried.Exclude().Allows(second));
    }

    [Fact]
    public void MoreThanTheClusterSize_AllKept()
    {
        // A member removed and re-added during a run is a new member: a run can try more than the cluster holds.
        MemberSlots[] members = Enumerable.Range(0, 9).Select(Member).ToArray();
        TriedMembers tried = default;

        foreach (MemberSlots member in members)
        {
            tried.Add(member, clusterSize: 1);
        }

        Assert.Equal(9, tried.Count);
        ExcludeTried filter = tried.Exclude();
        Assert.All(members, m => Assert.False(filter.Allows(m)));
        Assert.True(filter.Allows(Member(9)));
    }

    [Fact]
    public void CopyTakenBeforeAnAdd_KeepsItsOwnCount()
    {
        // The hedged run takes the run's tried members by value; what it adds later does not change the copy it came from.
        TriedMembers tried = default;
        (MemberSlots first, MemberSlots second) = (Member(0), Member(1));
        tried.Add(first, clusterSize: 4);

        TriedMembers copy = tried;
        copy.Add(second, clusterSize: 4);

        Assert.Equal(1, tried.Count);
        Assert.True(tried.Exclude().Allows(second));
        Assert.False(copy.Exclude().Allows(second));
    }

    private static MemberSlots Member(int index) => new MemberState($"gw-{index}").Slots;
}
