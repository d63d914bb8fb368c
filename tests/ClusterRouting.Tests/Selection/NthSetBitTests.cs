namespace ClusterRouting.Tests.Selection;

/// <summary>
/// <see cref="BitMath.NthSetBit"/> (PDEP where the processor has BMI2) and the loop used without it, against the
/// definition: the position of the n-th set bit, from 0 at the lowest. LeastLoaded draws among tied members with it.
/// </summary>
public class NthSetBitTests
{
    [Fact]
    public void EveryMaskOfTwelveBits_EveryN_BothWays()
    {
        for (ulong mask = 1; mask < 1 << 12; mask++)
        {
            int[] positions = Positions(mask);
            for (int n = 0; n < positions.Length; n++)
            {
                Assert.Equal(positions[n], BitMath.NthSetBit(mask, n));
                Assert.Equal(positions[n], BitMath.NthSetBitByClearing(mask, n));
            }
        }
    }

    [Theory]
    [InlineData(0x8000_0000_0000_0001UL)]
    [InlineData(0xFFFF_FFFF_FFFF_FFFFUL)]
    [InlineData(0xA5A5_0000_F00F_0102UL)]
    public void WideMasks_EveryN_BothWays(ulong mask)
    {
        int[] positions = Positions(mask);
        for (int n = 0; n < positions.Length; n++)
        {
            Assert.Equal(positions[n], BitMath.NthSetBit(mask, n));
            Assert.Equal(positions[n], BitMath.NthSetBitByClearing(mask, n));
        }
    }

    private static int[] Positions(ulong mask) => Enumerable.Range(0, 64).Where(bit => (mask >> bit & 1) != 0).ToArray();
}
