#if NET
using System.Numerics;
using System.Runtime.Intrinsics.X86;
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
    public static int NthSetBit(ulong mask, int n)
    {
#if NET
        // PDEP deposits the single bit 1 << n at the nth set position of the mask: one instruction, where the loop below
        // runs n times and mispredicts its exit when n is a random draw (LeastLoaded's tie-break).
        // Stryker disable once Conditional : the PDEP path and the loop give the same bit (NthSetBitTests checks both), so forcing either is equivalent where BMI2 exists (forced to PDEP without BMI2 it would throw, which no x64 test machine here can show)
        return Bmi2.X64.IsSupported
            ? BitOperations.TrailingZeroCount(Bmi2.X64.ParallelBitDeposit(1UL << n, mask))
            : NthSetBitByClearing(mask, n);
#else
        return NthSetBitByClearing(mask, n);
#endif
    }

    /// <summary><see cref="NthSetBit"/> without BMI2: clears the lowest set bit <paramref name="n"/> times.</summary>
    internal static int NthSetBitByClearing(ulong mask, int n)
    {
        for (; n > 0; n--)
        {
            mask &= mask - 1;
        }

        return TrailingZeroCount(mask);
    }
}
