namespace ClusterRouting.Tests.Selection;

/// <summary>
/// The in-flight count a LeastLoaded scan reads: the sum of a member's stripes, whatever the stripe count, read at the
/// stripes' places only (one stripe at a time below four stripes, four at a time from four on).
/// </summary>
public class SumOfStripesTests
{
    // Every place in the array that is not a stripe holds this, so a read at a wrong place shows in the sum.
    private const int Elsewhere = 1 << 20;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(16)]
    public void SumOfStripes_AddsEveryStripeAndNothingElse(int stripeCount)
    {
        // Stripe k holds 2^k, so the sum says which stripes were read: all of them is 2^count - 1.
        int[] counts = Layout(stripeCount);

        Assert.Equal((1 << stripeCount) - 1, MemberSlots.SumOfStripes(counts, stripeCount * Stripes.Spacing));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(16)]
    public void SumOfStripes_OnlyTheLastStripeInUse_IsCounted(int stripeCount)
    {
        int[] counts = Layout(stripeCount);
        for (int stripe = 0; stripe < stripeCount - 1; stripe++)
        {
            counts[(stripe + 1) * Stripes.Spacing] = 0;
        }

        Assert.Equal(1 << (stripeCount - 1), MemberSlots.SumOfStripes(counts, stripeCount * Stripes.Spacing));
    }

    [Fact]
    public void SumOfStripes_WithTheLibrarysStripeCount_IsTheMembersInFlight()
    {
        // The test project runs with 4 stripes (ClusterRouting.StripeCount): slots taken on each stripe, then summed.
        MemberSlots slots = new MemberState("gw-0").Slots;
        for (int stripe = 0; stripe < Stripes.Count; stripe++)
        {
            for (int taken = 0; taken <= stripe; taken++)
            {
                Assert.Equal(stripe, slots.TryAcquire(limit: 100, stripe));
            }
        }

        int expected = Stripes.Count * (Stripes.Count + 1) / 2;
        Assert.Equal(expected, slots.InFlight);
        Assert.Equal(expected, MemberSlots.SumOfStripes(slots.Counts));
    }

    private static int[] Layout(int stripeCount)
    {
        var counts = new int[(stripeCount + 1) * Stripes.Spacing];
        Array.Fill(counts, Elsewhere);
        for (int stripe = 0; stripe < stripeCount; stripe++)
        {
            counts[(stripe + 1) * Stripes.Spacing] = 1 << stripe;
        }

        return counts;
    }
}
