namespace ClusterRouting.Tests.Selection;

public class SmoothWeightedOrderTests
{
    [Fact]
    public void Build_NginxExample_GivesTheSmoothOrder()
    {
        Assert.Equal([0, 0, 1, 0, 2, 0, 0], SmoothWeightedOrder.Build([5, 1, 1]));
    }

    [Fact]
    public void Build_WeightsWithACommonDivisor_GiveTheOrderOfTheReducedWeights()
    {
        Assert.Equal(SmoothWeightedOrder.Build([3, 1, 2]), SmoothWeightedOrder.Build([60, 20, 40]));
    }

    [Fact]
    public void Build_EachMemberAppearsAsOftenAsItsWeight_NeverTwiceInARowWhenItCanBeAvoided()
    {
        int[] order = SmoothWeightedOrder.Build([2, 2, 1]);

        Assert.Equal([2, 2, 1], Enumerable.Range(0, 3).Select(m => order.Count(p => p == m)));
        Assert.All(Enumerable.Range(1, order.Length - 1), i => Assert.NotEqual(order[i - 1], order[i]));
    }

    [Fact]
    public void Build_ManyMembersWithLargeWeights_IsScaledDownButEveryMemberKeepsATurn()
    {
        int[] weights = Enumerable.Range(0, 1_000).Select(i => i % 2 == 0 ? 100 : 37).ToArray();

        int[] order = SmoothWeightedOrder.Build(weights);

        Assert.InRange(order.Length, 1_000, 4_200); // 2^21 turns x members at most
        int[] counts = Enumerable.Range(0, weights.Length).Select(m => 0).ToArray();
        foreach (int position in order)
        {
            counts[position]++;
        }

        Assert.All(counts, c => Assert.True(c >= 1));
        Assert.True(counts[0] > counts[1], "a heavier member keeps more turns");
    }
}
