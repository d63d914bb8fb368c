using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Selection;

public class LeastLoadedSelectionTests
{
    [Fact]
    public void Select_PicksTheMemberWithTheFewestOperationsInFlight()
    {
        ClusterSelector cluster = Clusters.Create(3, SelectionMode.LeastLoaded);
        using MemberLease a = Take(cluster, "gw-0");
        using MemberLease b = Take(cluster, "gw-0");
        using MemberLease c = Take(cluster, "gw-1");

        Assert.Equal("gw-2", cluster.SelectOnce());
        using MemberLease d = Take(cluster, "gw-2");
        using MemberLease e = Take(cluster, "gw-2");

        Assert.Equal("gw-1", cluster.SelectOnce());
    }

    [Fact]
    public void Select_ComparesInFlightRelativeToEachMembersLimit()
    {
        // gw-0: 2 of 10 in flight (0.2); gw-1: 1 of 2 (0.5). Fewer in flight is not less loaded.
        var options = Clusters.Options(2, SelectionMode.LeastLoaded);
        options.ThrottlePolicies.Add(new PerMemberLimitPolicy(new Dictionary<string, int> { ["gw-0"] = 10, ["gw-1"] = 2 }));
        using var cluster = new ClusterSelector("ll", options, randomSource: RandomSource.FromSeed(1));
        using MemberLease a = Take(cluster, "gw-0");
        using MemberLease b = Take(cluster, "gw-0");
        using MemberLease c = Take(cluster, "gw-1");

        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void Select_UniqueLeastLoaded_DrawsNoRandomNumber()
    {
        var random = new SequenceRandomSource(0);
        ClusterSelector cluster = Clusters.Create(3, SelectionMode.LeastLoaded, random);
        using MemberLease a = cluster.Select(); // a tie of 3: one draw
        using MemberLease b = cluster.Select(); // a tie of 2: one draw
        Assert.Equal(new[] { 3, 2 }, random.Bounds);

        using MemberLease c = cluster.Select(); // the one left with nothing in flight

        Assert.Equal(new[] { 3, 2 }, random.Bounds);
        Assert.Equal(3, new[] { a.MemberId, b.MemberId, c.MemberId }.Distinct().Count());
    }

    [Fact]
    public void Select_Tie_DrawsAmongTheTiedMembersInOrder()
    {
        // gw-1 is busier; gw-0, gw-2 and gw-3 tie with nothing in flight: a draw of 2 of 3 takes the third of them, gw-3.
        var random = new SequenceRandomSource(2);
        ClusterSelector cluster = Clusters.Create(4, SelectionMode.LeastLoaded, random);
        MemberLease busy = Take(cluster, "gw-1");
        random.Bounds.Clear();

        Assert.Equal("gw-3", cluster.SelectOnce());
        Assert.Equal(new[] { 3 }, random.Bounds);
        busy.Dispose();
    }

    [Fact]
    public void Select_TiedMembers_AreChosenUniformly()
    {
        const int Picks = 60_000;
        var cluster = new ClusterSelector("ll", Clusters.Options(5, SelectionMode.LeastLoaded), randomSource: RandomSource.FromSeed(2026));
        using MemberLease busy = Take(cluster, "gw-2");
        var counts = new int[5];

        for (int i = 0; i < Picks; i++)
        {
            counts[int.Parse(cluster.SelectOnce()!.AsSpan(3), System.Globalization.CultureInfo.InvariantCulture)]++;
        }

        Assert.Equal(0, counts[2]);
        int[] tied = [0, 1, 3, 4];
        double expected = Picks / 4.0;
        double chiSquare = tied.Sum(m => (counts[m] - expected) * (counts[m] - expected) / expected);
        Assert.True(chiSquare < 16.27, $"counts {string.Join(", ", counts)}, chi-square {chiSquare:F2} (critical 16.27 at p = 0.001, 3 degrees of freedom)");
    }

    [Theory]
    [InlineData(5, new int[0], 20261203UL)]          // every member ties: the looked-at draw always lands on one
    [InlineData(5, new[] { 0 }, 20261204UL)]         // four of five tie: it misses a fifth of the time
    [InlineData(10, new[] { 0, 3, 4, 5, 6, 7, 8, 9 }, 20261205UL)] // two of ten tie: it misses four times in five
    public void Select_SharedSource_TiedMembers_AreChosenUniformly(int memberCount, int[] busy, ulong seed)
    {
        // The shared source settles a tie with the draw it looked at before the scan when that lands on a tied member,
        // and draws again among them otherwise: both must come out uniform over the tied members, never on a busy one. The
        // busy members are placed so that a draw again from the same raw bits as the missed one would favour a tied member.
        const int Picks = 60_000;
        using ClusterSelector cluster = Clusters.Create(memberCount, SelectionMode.LeastLoaded);
        List<MemberLease> held = busy.Select(m => Take(cluster, $"gw-{m}")).ToList();
        LeaseThread.Current.SeedRandom(seed);
        var counts = new int[memberCount];

        for (int i = 0; i < Picks; i++)
        {
            counts[int.Parse(cluster.SelectOnce()!.AsSpan(3), System.Globalization.CultureInfo.InvariantCulture)]++;
        }

        held.ForEach(l => l.Dispose());
        Assert.All(busy, m => Assert.Equal(0, counts[m]));
        int[] tied = Enumerable.Range(0, memberCount).Except(busy).ToArray();
        double expected = (double)Picks / tied.Length;
        double chiSquare = tied.Sum(m => (counts[m] - expected) * (counts[m] - expected) / expected);

        // Critical values at p = 0.001 for tied - 1 degrees of freedom (4, 3 and 1).
        double critical = tied.Length switch { 5 => 18.47, 4 => 16.27, _ => 10.83 };
        Assert.True(chiSquare < critical, $"counts {string.Join(", ", counts)}, chi-square {chiSquare:F2} (critical {critical})");
    }

    [Fact]
    public void Select_SharedSource_UniqueLeastLoaded_LeavesTheDrawItLookedAt_ATieTakesIt()
    {
        using ClusterSelector cluster = Clusters.Create(3, SelectionMode.LeastLoaded);
        using MemberLease a = Take(cluster, "gw-0");
        using MemberLease b = Take(cluster, "gw-1");
        LeaseThread.Current.SeedRandom(20261203UL);
        int next = LeaseThread.Current.PeekRandom(1_000_000);

        Assert.Equal("gw-2", cluster.SelectOnce());                       // one least loaded: nothing taken
        Assert.Equal(next, LeaseThread.Current.PeekRandom(1_000_000));

        a.Dispose();
        b.Dispose();
        cluster.SelectOnce();                                               // a tie of three: the draw is taken
        Assert.NotEqual(next, LeaseThread.Current.PeekRandom(1_000_000));
    }

    [Fact]
    public void Snapshot_EqualCapacities_ComparesCounts_OtherwiseLoads()
    {
        static SelectionStrategy StrategyOf(params int[] weights) => new ClusterSnapshot(
            "test",
            weights.Select((w, i) => new SnapshotMember(new MemberState($"gw-{i}"), null, true, i, w)).ToArray(),
            SelectionMode.LeastLoaded,
            new ClusterClock(TimeProvider.System)).Strategy;

        Assert.Equal(SelectionStrategy.LeastLoaded, StrategyOf(1, 1, 1));
        Assert.Equal(SelectionStrategy.LeastLoaded, StrategyOf(3, 3));
        Assert.Equal(SelectionStrategy.LeastLoaded, StrategyOf());
        Assert.Equal(SelectionStrategy.LeastLoadedByCapacity, StrategyOf(1, 1, 2));
    }

    [Fact]
    public void Select_LeastLoadedFullSinceTheScan_ScansAgainWithoutIt()
    {
        // gw-0's probe is out (1 of 3 in flight): it is the least loaded but can't take a slot, so gw-1 (2 of 3) does.
        var time = new FakeTimeProvider();
        var options = Clusters.Options(2, SelectionMode.LeastLoaded);
        options.ConcurrentOperationLimitPreview = 3;
        options.OfflinePenaltyJitter = 0;
        using var cluster = new ClusterSelector("ll", options, time);
        cluster.ReportOffline("gw-0");
        time.Advance(options.OfflinePenaltyBaseDuration);
        using MemberLease probe = Take(cluster, "gw-0");
        Assert.True(probe.IsProbe);
        using MemberLease b = Take(cluster, "gw-1");
        using MemberLease c = Take(cluster, "gw-1");

        Assert.Equal("gw-1", cluster.SelectOnce());
    }

    [Fact]
    public void Select_LeastLoadedLaterMemberWithItsProbeOut_TheNextLeastLoadedTakesIt()
    {
        // As above with the members' places swapped: gw-1's probe is out (1 of 3 in flight), so gw-0 (2 of 3) takes it.
        var time = new FakeTimeProvider();
        var options = Clusters.Options(2, SelectionMode.LeastLoaded);
        options.ConcurrentOperationLimitPreview = 3;
        options.OfflinePenaltyJitter = 0;
        using var cluster = new ClusterSelector("ll", options, time);
        cluster.ReportOffline("gw-1");
        time.Advance(options.OfflinePenaltyBaseDuration);
        using MemberLease probe = Take(cluster, "gw-1");
        Assert.True(probe.IsProbe);
        using MemberLease a = Take(cluster, "gw-0");
        using MemberLease b = Take(cluster, "gw-0");

        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void Select_DifferentCapacities_EqualLoads_Tie()
    {
        // gw-0: 2 of 10 in flight (0.2); gw-1: 1 of 5 (0.2); gw-2: 1 of 2 (0.5). gw-0 and gw-1 tie at different counts and
        // capacities: one draw of two, and 1 of 2 takes the second of them, gw-1.
        var random = new SequenceRandomSource(1);
        var options = Clusters.Options(3, SelectionMode.LeastLoaded);
        options.ThrottlePolicies.Add(new PerMemberLimitPolicy(new Dictionary<string, int> { ["gw-0"] = 10, ["gw-1"] = 5, ["gw-2"] = 2 }));
        using var cluster = new ClusterSelector("ll", options, randomSource: random);
        using MemberLease a = Take(cluster, "gw-0");
        using MemberLease b = Take(cluster, "gw-0");
        using MemberLease c = Take(cluster, "gw-1");
        using MemberLease d = Take(cluster, "gw-2");
        random.Bounds.Clear();

        Assert.Equal("gw-1", cluster.SelectOnce());
        Assert.Equal(new[] { 2 }, random.Bounds);
    }

    [Fact]
    public void Select_MoreMembersThanOneScanCompares_SharedSource_TakesTheLeastLoadedOfTheScanned()
    {
        // 100 members, one lease each but on gw-7: with the shared source too, gw-7 wins whenever the scan of 64 from its
        // random start covers it (64 % of the time), as with a cluster's own source.
        using ClusterSelector cluster = Clusters.Create(100, SelectionMode.LeastLoaded);
        var leases = Enumerable.Range(0, 100).Where(i => i != 7).Select(i => Take(cluster, $"gw-{i}")).ToList();
        LeaseThread.Current.SeedRandom(20261203UL);
        int wins = 0;
        for (int i = 0; i < 2_000; i++)
        {
            using MemberLease lease = cluster.Select();
            wins += lease.MemberId == "gw-7" ? 1 : 0;
        }

        Assert.InRange(wins, 1_100, 1_460);
        leases.ForEach(l => l.Dispose());
    }

    [Fact]
    public void Select_MemberAtItsLimitWithTheLowestLoad_IsNotAmongTheTiedDrawnFrom()
    {
        // gw-0 (limit 1, weight 2) is full at a load of 1/2; gw-1 and gw-2 (limit 2, weight 1) have 1 of 2 in flight, also
        // 1/2. Only gw-1 and gw-2 can take the operation: one draw among those two, and 2 of 2 picks the first, gw-1.
        var random = new SequenceRandomSource(2);
        var options = new ClusterOptions { Mode = SelectionMode.LeastLoaded };
        options.Members.Add(new ClusterMemberOptions("gw-0") { Weight = 2 });
        options.Members.Add(new ClusterMemberOptions("gw-1"));
        options.Members.Add(new ClusterMemberOptions("gw-2"));
        options.ThrottlePolicies.Add(new PerMemberLimitPolicy(new Dictionary<string, int> { ["gw-0"] = 1, ["gw-1"] = 2, ["gw-2"] = 2 }));
        using var cluster = new ClusterSelector("ll", options, randomSource: random);
        using MemberLease a = Take(cluster, "gw-0");
        using MemberLease b = Take(cluster, "gw-1");
        using MemberLease c = Take(cluster, "gw-2");
        random.Bounds.Clear();

        Assert.Equal("gw-1", cluster.SelectOnce());
        Assert.Equal(new[] { 2 }, random.Bounds);
    }

    [Fact]
    public void Select_EveryMemberAtItsLimit_FailsWithTheConcurrencyLimit()
    {
        var options = Clusters.Options(2, SelectionMode.LeastLoaded);
        options.ConcurrentOperationLimitPreview = 1;
        using var cluster = new ClusterSelector("ll", options);
        using MemberLease a = cluster.Select();
        using MemberLease b = cluster.Select();

        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));
        Assert.True(failure.IsThrottled);
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, failure.GetRejection(0).Reason);
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, failure.GetRejection(1).Reason);
    }

    [Fact]
    public void Select_ExcludedMembers_AreNotCompared()
    {
        ClusterSelector cluster = Clusters.Create(3, SelectionMode.LeastLoaded);
        using MemberLease a = Take(cluster, "gw-1");
        using MemberLease b = Take(cluster, "gw-2");

        Assert.True(cluster.TrySelect(["gw-0"], out MemberLease lease, out _));
        using (lease)
        {
            Assert.NotEqual("gw-0", lease.MemberId);
        }
    }

    [Fact]
    public void Select_PenalizedMembers_AreTakenOnlyWhenNoOtherCan()
    {
        ClusterSelector cluster = Clusters.Create(2, SelectionMode.LeastLoaded);
        cluster.ReportOffline("gw-0");
        using MemberLease a = Take(cluster, "gw-1");
        using MemberLease b = Take(cluster, "gw-1");

        Assert.Equal("gw-1", cluster.SelectOnce()); // gw-0 has nothing in flight but is penalized
    }

    [Theory]
    [InlineData(65)]
    [InlineData(100)]
    [InlineData(200)]
    public void Select_MoreMembersThanOneScanCompares_EveryMemberStillTakesWorkBeforeAnyFails(int memberCount)
    {
        var options = Clusters.Options(memberCount, SelectionMode.LeastLoaded);
        options.ConcurrentOperationLimitPreview = 1;
        using var cluster = new ClusterSelector("ll", options, randomSource: RandomSource.FromSeed(memberCount));
        var leases = new List<MemberLease>();

        for (int i = 0; i < memberCount; i++)
        {
            Assert.True(cluster.TrySelect(out MemberLease lease, out _), $"selection {i} failed with {memberCount - i} members free");
            leases.Add(lease);
        }

        Assert.Equal(memberCount, leases.Select(l => l.MemberId).Distinct().Count());
        Assert.False(cluster.TrySelect(out _, out _));
        leases.ForEach(l => l.Dispose());
    }

    [Fact]
    public void Select_MoreMembersThanOneScanCompares_TakesTheLeastLoadedOfTheScanned()
    {
        // 100 members, limit 2, every member but gw-7 with 1 in flight: gw-7 wins whenever the scanned 64 include it.
        var options = Clusters.Options(100, SelectionMode.LeastLoaded);
        options.ConcurrentOperationLimitPreview = 2;
        using var cluster = new ClusterSelector("ll", options, randomSource: RandomSource.FromSeed(5));
        var leases = new List<MemberLease>();
        for (int i = 0; i < 100; i++)
        {
            if (i != 7)
            {
                leases.Add(Take(cluster, $"gw-{i}"));
            }
        }

        int wins = Enumerable.Range(0, 2_000).Count(_ => cluster.SelectOnce() == "gw-7");

        // The scan starts at one of 100 positions and covers 64 of them: gw-7 is among them 64 % of the time.
        Assert.InRange(wins, 1_100, 1_460);
        leases.ForEach(l => l.Dispose());
    }

    [Fact]
    public void Select_MoreMembersThanOneScanCompares_TheLastScanComparesOnlyTheMembersTheFirstDidNot()
    {
        // 65 members, limit 2, the scan starting at gw-0 (a draw of 0): the first 64 are gw-0, its probe out (1 of 2 in
        // flight), and gw-1 .. gw-63, full; none takes the operation. The last scan compares gw-64 alone (1 of 2): it takes
        // the operation with no draw, rather than being drawn against gw-0, at the same load and already refused.
        var time = new FakeTimeProvider();
        var random = new SequenceRandomSource(0);
        var options = Clusters.Options(65, SelectionMode.LeastLoaded);
        options.ConcurrentOperationLimitPreview = 2;
        options.OfflinePenaltyJitter = 0;
        using var cluster = new ClusterSelector("ll", options, time, random);
        cluster.ReportOffline("gw-0");
        time.Advance(options.OfflinePenaltyBaseDuration);
        var leases = new List<MemberLease> { Take(cluster, "gw-0") };
        Assert.True(leases[0].IsProbe);
        for (int i = 1; i < 64; i++)
        {
            leases.Add(Take(cluster, $"gw-{i}"));
            leases.Add(Take(cluster, $"gw-{i}"));
        }

        leases.Add(Take(cluster, "gw-64"));
        random.Bounds.Clear();

        Assert.Equal("gw-64", cluster.SelectOnce());
        Assert.Equal(new[] { 65 }, random.Bounds);
        leases.ForEach(l => l.Dispose());
    }

    /// <summary>Takes leases until one is on <paramref name="memberId"/> (releasing the others), by excluding every other member.</summary>
    private static MemberLease Take(ClusterSelector cluster, string memberId)
    {
        string[] others = cluster.GetStatus().Members.Select(m => m.Id).Where(id => id != memberId).ToArray();
        Assert.True(cluster.TrySelect(others, out MemberLease lease, out SelectionFailure failure), $"{memberId} could not be taken: {failure}");
        return lease;
    }
}
