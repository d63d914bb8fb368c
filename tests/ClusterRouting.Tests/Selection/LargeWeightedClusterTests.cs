using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Selection;

/// <summary>
/// Weighted Random in a cluster far over <see cref="ClusterLimits.MaxMembers"/> (which keeps operating): a snapshot's
/// weights are the members' shares (weight x slow-start share, up to 100 x 1000) over their greatest common divisor,
/// so one ramping member at a minimum such as 1.1 % leaves every other member weighing 100,000. The redraw by weight
/// after a busy first draw (<see cref="RandomSelection.SelectWeighted{TFilter}"/>) must still find a free member when
/// those weights add up past <see cref="int.MaxValue"/>.
/// </summary>
public sealed class LargeWeightedClusterTests
{
    // 21,476 x 100,000 is past int.MaxValue even without the member drawn first.
    private const int Members = 21_477;

    [Fact]
    public void SelectWeighted_WeightsAddingUpPastInt32_RedrawFindsAFreeMember()
    {
        var candidates = new Candidate[Members];
        for (int i = 0; i < candidates.Length; i++)
        {
            // The first member is full (a limit of 0 takes nothing); every other one is free.
            candidates[i] = new Candidate(new MemberState($"gw-{i}").Slots, i == 0 ? 0 : 1, i, probe: null, weight: 100_000, capacity: 1);
        }

        Pick pick = RandomSelection.SelectWeighted(candidates, [0], RandomSource.FromSeed(1), LeaseThread.Current, default(NoFilter), stripe: 0);

        Assert.True(pick.IsTaken);
        Assert.InRange(pick.Position, 1, Members - 1);
        candidates[pick.Position].Slots.Release(pick.Stripe);
    }

    [Fact]
    public void RampingMemberAtAFractionalMinimum_FirstDrawExcluded_AnotherMemberIsSelected()
    {
        ClusterOptions options = Clusters.Options(Members, SelectionMode.Random);
        foreach (ClusterMemberOptions member in options.Members)
        {
            member.Weight = 100;
        }

        string ramping = options.Members[^1].Id;
        options.Members[^1].Weight = 1;
        options.SlowStartWindow = TimeSpan.FromSeconds(20);
        options.SlowStartMinimumPercentage = 1.1;
        using var cluster = new ClusterSelector("large", options, new FakeTimeProvider(), new SequenceRandomSource(0));
        cluster.SetMemberEnabled(ramping, false);
        cluster.SetMemberEnabled(ramping, true);  // shares 11 and 100,000 in thousandths: their divisor is 1
        Assert.Equal(100_000, cluster.Snapshot.Eligible[0].Weight);
        Assert.Equal(0, cluster.Snapshot.WeightedOrder![0]); // the first draw (0) lands on gw-0

        Assert.True(cluster.TrySelect(["gw-0"], out MemberLease lease, out _));

        Assert.NotEqual("gw-0", lease.MemberId);
        lease.Dispose();
    }
}
