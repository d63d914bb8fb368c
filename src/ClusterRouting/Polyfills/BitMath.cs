#if NET
using System.Numerics;
#endif

namespace ClusterRouting;

/// <summary>Bit operations on every target framework (netstandard2.0 lacks <c>System.Numerics.BitOperations</c>).</summary>
internal static class BitMath
{
    public static int TrailingZeroCount(ulong value)
    {
#if NET
        return BitOperations.TrailingZeroCount(value);
#else
        if (value == 0)
        {
            return 64;
        }

        int count = 0;
        while ((value & 1) == 0)
        {
            value >>= 1;
            count++;
        }

        return count;
#endif
    }

    public static int PopCount(ulong value)
    {
#if NET
        return BitOperations.PopCount(value);
#else
        int count = 0;
        while (value != 0)
        {
            value &= value - 1;
            count++;
        }

        return count;
#endif
    }

    /// <summary>The position of the <paramref name="n"/>th set bit of <paramref name="mask"/>, counting from 0 at the lowest.</summary>
    /// <param name="mask">Has more than <paramref name="n"/> bits set.</param>
    /// <param name="n">From 0.</param>
    /// <remarks>
    /// A binary search on the bit counts of halves, without branches: <paramref name="n"/> is random when it breaks a
    /// tie, and a loop of that many steps, or a branch per half, would be mispredicted on almost every call.
    /// </remarks>
    public static int NthSetBit(ulong mask, int n)
    {
        int position = 0;
        for (int width = 32; width > 0; width >>= 1)
        {
            // All ones when the bit is past the lower half (n >= the half's count), else zero.
            int past = (PopCount(mask & ((1UL << width) - 1)) - n - 1) >> 31;
            n -= PopCount(mask & ((1UL << width) - 1)) & past;
            int shift = width & past;
            mask >>= shift;
            position += shift;
        }

        return position;
    }
}
