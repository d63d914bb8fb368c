using System.Globalization;
using ClusterRouting.Tests.Hosting;
using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Selection;

public class WeightedSelectionTests
{
    // Recorded on 6f631e7, before weights existed: 5 members (gw-3 disabled), limit 3, seed 17; two of every three
    // leases held, all released when a selection fails ("-").
    private const string RandomBeforeWeights = "2,4,2,0,4,1,2,4,0,2,0,1,1,0,1,1,1,-,4,1,4,0,1,2,1,0,4,4,2,2,0,4,2,2,2,-,4,1,2,1";
    private const string RoundRobinBeforeWeights = "0,1,2,4,0,1,2,4,0,1,2,4,0,1,2,4,2,-,2,4,0,1,2,4,0,1,2,4,0,1,2,4,0,1,0,-,0,1,2,4";

    [Theory]
    [InlineData(SelectionMode.Random, 1, RandomBeforeWeights)]
    [InlineData(SelectionMode.Random, 7, RandomBeforeWeights)]
    [InlineData(SelectionMode.RoundRobin, 1, RoundRobinBeforeWeights)]
    [InlineData(SelectionMode.RoundRobin, 100, RoundRobinBeforeWeights)]
    public void EqualWeights_SelectExactlyAsBeforeWeightsExisted(SelectionMode mode, int weight, string expected)
    {
        ClusterOptions options = Clusters.Options(5, mode);
        options.ConcurrentOperationLimitPreview = 3;
        foreach (ClusterMemberOptions member in options.Members)
        {
            member.Weight = weight;
        }

        using var cluster = new ClusterSelector("w", options, randomSource: RandomSource.FromSeed(17));
        cluster.SetMemberEnabled("gw-3", false);
        var picks = new List<string>();
        var held = new List<MemberLease>();
        for (int i = 0; i < 40; i++)
        {
            if (!cluster.TrySelect(out MemberLease lease))
            {
                picks.Add("-");
                held.ForEach(l => l.Dispose());
                held.Clear();
                continue;
            }

            picks.Add(lease.MemberId[3..]);
            if (i % 3 != 2)
            {
                held.Add(lease);
            }
            else
            {
                lease.Dispose();
            }
        }

        Assert.Equal(expected, string.Join(",", picks));
        Assert.Null(cluster.Snapshot.WeightedOrder);
    }

    [Theory]
    [InlineData(new[] { 1, 2, 3, 4 }, 1)]
    [InlineData(new[] { 1, 2, 3, 4 }, 2)]
    [InlineData(new[] { 5, 1, 1 }, 3)]
    [InlineData(new[] { 1, 1, 10 }, 4)]
    [InlineData(new[] { 4, 16, 8, 4, 12, 16, 4, 8, 16, 12 }, 5)]
    public void Random_SharesMatchTheWeights(int[] weights, int seed)
    {
        const int Picks = 100_000;
        using ClusterSelector cluster = Weighted(SelectionMode.Random, weights, RandomSource.FromSeed(seed));
        var counts = new int[weights.Length];

        for (int i = 0; i < Picks; i++)
        {
            counts[Number(cluster.SelectOnce()!)]++;
        }

        double total = weights.Sum();
        double chiSquare = Enumerable.Range(0, weights.Length).Sum(m =>
        {
            double expected = Picks * weights[m] / total;
            return (counts[m] - expected) * (counts[m] - expected) / expected;
        });
        Assert.True(chiSquare < ChiSquareCritical001(weights.Length - 1), $"counts {string.Join(", ", counts)} for weights {string.Join(", ", weights)}: chi-square {chiSquare:F2}");
    }

    [Fact]
    public void RoundRobin_FollowsNginxSmoothWeightedOrder()
    {
        // nginx's example (ngx_http_upstream_round_robin.c): weights 5, 1, 1 give a a b a c a a.
        using ClusterSelector cluster = Weighted(SelectionMode.RoundRobin, [5, 1, 1]);

        string[] picks = Enumerable.Range(0, 14).Select(_ => cluster.SelectOnce()!).ToArray();

        Assert.Equal(["gw-0", "gw-0", "gw-1", "gw-0", "gw-2", "gw-0", "gw-0", "gw-0", "gw-0", "gw-1", "gw-0", "gw-2", "gw-0", "gw-0"], picks);
    }

    [Theory]
    [InlineData(new[] { 3, 1, 2 })]
    [InlineData(new[] { 16, 4, 8, 12 })]
    [InlineData(new[] { 1, 100 })]
    public void RoundRobin_EachPeriodGivesEveryMemberExactlyItsWeightInTurns(int[] weights)
    {
        using ClusterSelector cluster = Weighted(SelectionMode.RoundRobin, weights);
        int divisor = weights.Aggregate(Gcd);
        int period = weights.Sum() / divisor;

        for (int round = 0; round < 3; round++)
        {
            var counts = new int[weights.Length];
            for (int i = 0; i < period; i++)
            {
                counts[Number(cluster.SelectOnce()!)]++;
            }

            Assert.Equal(weights.Select(w => w / divisor), counts);
        }
    }

    [Fact]
    public void RoundRobin_WeightedMemberAtItsLimit_PassesItsTurnToTheNext()
    {
        ClusterOptions options = WeightedOptions(SelectionMode.RoundRobin, [5, 1, 1]);
        options.ConcurrentOperationLimitPreview = 1;
        using var cluster = new ClusterSelector("w", options);
        using MemberLease first = cluster.Select();
        Assert.Equal("gw-0", first.MemberId);

        Assert.Equal("gw-1", cluster.SelectOnce()); // gw-0's second turn: it is full, gw-1 takes it
        Assert.Equal("gw-1", cluster.SelectOnce()); // gw-1's own turn
    }

    [Fact]
    public void Random_WeightedMemberBusy_DrawsAgainAmongTheRestByWeight()
    {
        // Weights 5, 1, 2: an order of 8 turns, the first gw-0's. The draw of 0 takes gw-0, which is full; the redraw is
        // over the weights left (1 + 2 = 3), and 1 of 3 falls on gw-2.
        var random = new SequenceRandomSource(0, 0, 1);
        ClusterOptions options = WeightedOptions(SelectionMode.Random, [5, 1, 2]);
        options.ConcurrentOperationLimitPreview = 1;
        using var cluster = new ClusterSelector("w", options, randomSource: random);
        using MemberLease full = cluster.Select();
        Assert.Equal("gw-0", full.MemberId);
        random.Bounds.Clear();

        Assert.Equal("gw-2", cluster.SelectOnce());
        Assert.Equal(new[] { 8, 3 }, random.Bounds);
    }

    [Fact]
    public void LeastLoaded_WeightScalesTheCapacity_AHeavierMemberHoldsProportionallyMore()
    {
        using ClusterSelector cluster = Weighted(SelectionMode.LeastLoaded, [1, 2, 3], RandomSource.FromSeed(3));
        var held = new List<MemberLease>();

        for (int round = 1; round <= 5; round++)
        {
            for (int i = 0; i < 6; i++)
            {
                held.Add(cluster.Select());
            }

            Assert.Equal([round, 2 * round, 3 * round], cluster.GetStatus().Members.Select(m => m.InFlight));
        }

        held.ForEach(l => l.Dispose());
    }

    [Fact]
    public void Weights_ShowInStatus()
    {
        using ClusterSelector cluster = Weighted(SelectionMode.Random, [4, 1]);

        ClusterStatus status = cluster.GetStatus();

        Assert.Equal([4, 1], status.Members.Select(m => m.Weight));
        Assert.Contains("weight 4", status.Members[0].ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("weight", status.Members[1].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Republish_WithTheSameEligibleMembersAndWeights_KeepsTheWeightedOrder()
    {
        using ClusterSelector cluster = Weighted(SelectionMode.RoundRobin, [3, 1, 2, 1]);
        cluster.SetMemberEnabled("gw-3", false);
        int[]? before = cluster.Snapshot.WeightedOrder;

        cluster.ReportRefusal("gw-3", ThrottleLimitKind.Cpu); // a new verdict for a member not eligible anyway
        Assert.NotNull(before);
        Assert.Same(before, cluster.Snapshot.WeightedOrder);

        cluster.ReportRefusal("gw-1", ThrottleLimitKind.Cpu); // gw-1 leaves the eligible members
        Assert.NotSame(before, cluster.Snapshot.WeightedOrder);
        Assert.Equal(["gw-0", "gw-2", "gw-0", "gw-2", "gw-0"], Enumerable.Range(0, 5).Select(_ => cluster.SelectOnce()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(101)]
    public void Options_WeightOutOfRange_IsRejectedNamingTheField(int weight)
    {
        ClusterOptions options = WeightedOptions(SelectionMode.Random, [1, weight]);

        ArgumentException error = Assert.Throws<ArgumentException>(() => new ClusterSelector("w", options));

        Assert.Contains($"Cluster 'w': Members[1].Weight of member 'gw-1' must be from 1 to 100 (was {weight.ToString(CultureInfo.InvariantCulture)}).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddMember_WeightOutOfRange_ThrowsNamingTheFieldAndChangesNothing()
    {
        using ClusterSelector cluster = Weighted(SelectionMode.Random, [1, 2]);
        ClusterStatus before = cluster.GetStatus();

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => cluster.AddMember(new ClusterMemberOptions("gw-9") { Weight = 0 }));

        Assert.Equal("member", error.ParamName);
        Assert.Contains("the Weight of member 'gw-9' must be from 1 to 100 (was 0)", error.Message, StringComparison.Ordinal);
        Assert.Equal(before.Members.Select(m => m.Id), cluster.GetStatus().Members.Select(m => m.Id));
    }

    [Fact]
    public void AddMember_WithAWeight_KeepsItAndTheCallersObjectIsNotShared()
    {
        using ClusterSelector cluster = Weighted(SelectionMode.RoundRobin, [1]);
        var member = new ClusterMemberOptions("gw-1") { Weight = 3 };

        cluster.AddMember(member);
        member.Weight = 50;

        Assert.Equal([1, 3], cluster.GetStatus().Members.Select(m => m.Weight));
        Assert.Equal(["gw-1", "gw-0", "gw-1", "gw-1"], Enumerable.Range(0, 4).Select(_ => cluster.SelectOnce()));
    }

    [Fact]
    public void Configuration_WeightKey_IsBoundAndAReloadChangesIt()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster(
            "sized",
            ("Mode", "RoundRobin"),
            ("Members:0:Id", "gw-0"),
            ("Members:0:Weight", "3"),
            ("Members:1:Id", "gw-1")));
        ClusterSelector cluster = services.Cluster("sized");
        Assert.Equal([3, 1], cluster.GetStatus().Members.Select(m => m.Weight));

        services.Set("sized", "Members:1:Weight", "2");
        services.Configuration.Reload();

        Assert.Equal([3, 2], cluster.GetStatus().Members.Select(m => m.Weight));
        Assert.Empty(services.Log.WithEvent("ConfigurationRejected"));
    }

    [Fact]
    public void Configuration_WeightOutOfRangeOnReload_IsRejectedNamingTheFieldAndTheLastGoodWeightsStay()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster(
            "sized",
            ("Mode", "RoundRobin"),
            ("Members:0:Id", "gw-0"),
            ("Members:0:Weight", "3"),
            ("Members:1:Id", "gw-1")));
        ClusterSelector cluster = services.Cluster("sized");

        services.Set("sized", "Members:0:Weight", "0");
        services.Configuration.Reload();

        Assert.Equal([3, 1], cluster.GetStatus().Members.Select(m => m.Weight));
        Assert.Contains(services.Log.WithEvent("ConfigurationRejected"), r => r.Message.Contains("Members[0].Weight", StringComparison.Ordinal));
    }

    private static ClusterOptions WeightedOptions(SelectionMode mode, int[] weights)
    {
        ClusterOptions options = Clusters.Options(weights.Length, mode);
        for (int i = 0; i < weights.Length; i++)
        {
            options.Members[i].Weight = weights[i];
        }

        return options;
    }

    private static ClusterSelector Weighted(SelectionMode mode, int[] weights, RandomSource? random = null) =>
        new("w", WeightedOptions(mode, weights), randomSource: random);

    private static int Number(string id) => int.Parse(id.AsSpan(3), CultureInfo.InvariantCulture);

    private static int Gcd(int left, int right) => right == 0 ? left : Gcd(right, left % right);

    // Critical values of the chi-square distribution at p = 0.001, by degrees of freedom.
    private static double ChiSquareCritical001(int degreesOfFreedom) => degreesOfFreedom switch
    {
        1 => 10.83,
        2 => 13.82,
        3 => 16.27,
        9 => 27.88,
        _ => throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom)),
    };
}
