using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// What a thread keeps for its selections: its stripe, its ring of lease tokens and its random generator. One
/// thread-static read gets all three.
/// </summary>
internal sealed class LeaseThread
{
    private const int InitialTokens = 32;

    [ThreadStatic]
    private static LeaseThread? t_current;

    /// <summary>The thread's stripe (<see cref="Stripes"/>), dealt when the thread first selects and kept for its lifetime.</summary>
    public readonly int Stripe = Stripes.NextForThread();

    // The thread's tokens; a power-of-two length. Taken in turn: a token whose lease has not ended yet is skipped, and
    // the ring doubles when every token is in use, so it grows to the most leases this thread has out at once.
    private LeaseToken[] _tokens = NewTokens(InitialTokens);
    private int _next;

    // SplitMix64 (Steele, Lea and Flood, 2014): one add, two multiplies and three shifts per draw, with good statistical
    // quality; seeded per thread from a system-wide source.
    private ulong _randomState = InitialSeed();

    public static LeaseThread Current => t_current ?? Create();

    /// <summary>Gets the number of tokens in the thread's ring.</summary>
    internal int TokenCount => _tokens.Length;

    /// <summary>Takes a free token of this thread's ring. Called only on the thread that owns the ring.</summary>
    public LeaseToken RentToken()
    {
        LeaseToken[] tokens = _tokens;
        int index = _next & (tokens.Length - 1);
        LeaseToken token = tokens[index];
        if (Volatile.Read(ref token.InUse) != 0)
        {
            return RentTokenSlow();
        }

        _next = index + 1;
        token.InUse = 1;
        return token;
    }

    /// <summary>Restarts the thread's generator from <paramref name="seed"/>, so that tests of its distribution are repeatable.</summary>
    internal void SeedRandom(ulong seed) => _randomState = seed;

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

    private static LeaseToken[] NewTokens(int count)
    {
        var tokens = new LeaseToken[count];
        for (int i = 0; i < count; i++)
        {
            tokens[i] = new LeaseToken();
        }

        return tokens;
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private LeaseToken RentTokenSlow()
    {
        LeaseToken[] tokens = _tokens;
        int mask = tokens.Length - 1;
        for (int step = 1; step < tokens.Length; step++)
        {
            int index = (_next + step) & mask;
            LeaseToken token = tokens[index];
            if (Volatile.Read(ref token.InUse) == 0)
            {
                _next = index + 1;
                token.InUse = 1;
                return token;
            }
        }

        // Every token has a lease out: double the ring. The old tokens stay in it, in use, and are taken again once
        // their leases end.
        var grown = new LeaseToken[tokens.Length * 2];
        Array.Copy(tokens, grown, tokens.Length);
        for (int i = tokens.Length; i < grown.Length; i++)
        {
            grown[i] = new LeaseToken();
        }

        _tokens = grown;
        _next = tokens.Length + 1;
        grown[tokens.Length].InUse = 1;
        return grown[tokens.Length];
    }

    private uint Next32()
    {
        ulong z = _randomState += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (uint)((z ^ (z >> 31)) >> 32);
    }
}
