using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// What a thread keeps for its selections: its stripe, its stack of lease tokens and its random generator. One
/// thread-static read gets all three.
/// </summary>
internal sealed class LeaseThread
{
    [ThreadStatic]
    private static LeaseThread? t_current;

    public readonly LeaseToken[] Items = new LeaseToken[LeaseToken.LocalCapacity];

    /// <summary>The thread's stripe (<see cref="Stripes"/>), dealt when the thread first selects and kept for its lifetime.</summary>
    public readonly int Stripe = Stripes.NextForThread();

    public int Count;

    // SplitMix64 (Steele, Lea and Flood, 2014): one add, two multiplies and three shifts per draw, with good statistical
    // quality; seeded per thread from a system-wide source.
    private ulong _randomState = InitialSeed();

    public static LeaseThread Current => t_current ?? Create();

    /// <summary>Returns a uniformly distributed integer in [0, <paramref name="maxValue"/>), without bias.</summary>
    /// <param name="maxValue">At least 1.</param>
    public int NextRandom(int maxValue)
    {
        // Lemire's multiply-shift with rejection (2019): the rejection branch is taken with probability under
        // maxValue / 2^32, so for a cluster's member count essentially never.
        uint bound = (uint)maxValue;
        ulong product = (ulong)Next32() * bound;
        if ((uint)product < bound)
        {
            uint threshold = (0u - bound) % bound;
            while ((uint)product < threshold)
            {
                product = (ulong)Next32() * bound;
            }
        }

        return (int)(product >> 32);
    }

    private uint Next32()
    {
        ulong z = _randomState += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (uint)((z ^ (z >> 31)) >> 32);
    }

    private static ulong InitialSeed()
    {
#if NET
        return (ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue);
#else
        return BitConverter.ToUInt64(Guid.NewGuid().ToByteArray(), 0);
#endif
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static LeaseThread Create() => t_current = new LeaseThread();
}
