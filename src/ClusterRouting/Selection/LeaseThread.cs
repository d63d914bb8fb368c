using System.Runtime.CompilerServices;
#if NET
using System.Runtime.Intrinsics.X86;
#endif

namespace ClusterRouting;

/// <summary>
/// What a thread keeps for its selections: its stripe, its lease tokens and its random generator. One thread-static
/// read gets all three.
/// </summary>
internal sealed class LeaseThread
{
    private const int InitialTokens = 32;

    [ThreadStatic]
    private static LeaseThread? t_current;

    /// <summary>The thread's stripe (<see cref="Stripes"/>), dealt when the thread first selects and kept for its lifetime.</summary>
    public readonly int Stripe = Stripes.NextForThread();

    // Every token this thread owns (a lease may end on another thread, which only marks its token free), and a stack of
    // the positions of tokens known to be free. Renting pops the stack; when it is empty, one pass over the tokens
    // finds the ones whose leases ended since the last pass. The tokens double whenever that pass finds fewer free than
    // half of those still out, so each pass is paid for by at least a third as many rents: renting costs O(1),
    // amortized, however many leases the thread holds.
    private LeaseToken[] _tokens = NewTokens(InitialTokens, []);
    private int[] _free = Ascending(InitialTokens);
    private int _freeCount = InitialTokens;

    // wyrand (Wang Yi, 2019; passes BigCrush and PractRand): one add and one 64x64->128-bit multiply per draw, so the
    // draw adds little latency before the member it picks is read; seeded per thread from a system-wide source.
    private ulong _randomState = InitialSeed();

    // The next raw draw, made at the end of the previous one: the draw a selection uses is ready when it starts, and
    // computing the one after it overlaps with the rest of the selection instead of delaying the member it picks.
    private ulong _nextDraw;

    public static LeaseThread Current => t_current ?? Create();

    private LeaseThread()
    {
        _nextDraw = Next64();
    }

    /// <summary>Gets the number of tokens the thread owns.</summary>
    internal int TokenCount => _tokens.Length;

    /// <summary>Gets how many tokens are known to be free: rents left before the next pass over the tokens.</summary>
    internal int KnownFreeTokens => _freeCount;

    /// <summary>Takes a free token of this thread's. Called only on the thread that owns the tokens.</summary>
    public LeaseToken RentToken()
    {
        int count = _freeCount - 1;
        if (count < 0)
        {
            return RentTokenAfterReclaim();
        }

        _freeCount = count;
        LeaseToken token = _tokens[_free[count]];
        token.InUse = 1;
        return token;
    }

    /// <summary>Restarts the thread's generator from <paramref name="seed"/>, so that tests of its distribution are repeatable.</summary>
    internal void SeedRandom(ulong seed)
    {
        _randomState = seed;
        _nextDraw = Next64();
    }

    /// <summary>Returns a uniformly distributed integer in [0, <paramref name="maxValue"/>), without bias.</summary>
    /// <param name="maxValue">At least 1.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // On the Random-mode hot path; the JIT would otherwise call it.
    public int NextRandom(int maxValue)
    {
        // Lemire's multiply-shift with rejection (2019), on 64 bits: the rejection branch is taken with probability
        // under maxValue / 2^64, so for a cluster's member count practically never.
        // The bound's multiply before the next draw: MULX takes one operand in rdx, and the other order made the JIT
        // park this draw on the stack while the generator's multiply used rdx.
        ulong bound = (uint)maxValue;
        ulong high = Multiply(_nextDraw, bound, out ulong low);
        _nextDraw = Next64();
        return low < bound ? Redraw(bound, low, high) : (int)high;
    }

    /// <summary>
    /// The number <see cref="NextRandom"/> would return for <paramref name="maxValue"/>, without taking it: a selection
    /// can work out what it would pick with it alongside other work, and take it (<see cref="SkipRandom"/>) only if it
    /// uses it. -1 when that number would be rejected (Lemire's step; probability under <paramref name="maxValue"/> in 2^64).
    /// </summary>
    /// <remarks>
    /// A caller that looks at the number must take it whenever it draws again (<see cref="SkipRandom"/> first), or the
    /// next draw would reuse the same raw bits; one that leaves it, for reasons that do not depend on it, may look at it again.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int PeekRandom(int maxValue)
    {
        ulong bound = (uint)maxValue;
        ulong high = Multiply(_nextDraw, bound, out ulong low);
        return low < bound ? PeekRejected(bound, low, high) : (int)high;
    }

    /// <summary>Takes the number <see cref="PeekRandom"/> looked at: the next draw uses fresh bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SkipRandom() => _nextDraw = Next64();

    /// <summary>The rejection test of <see cref="PeekRandom"/>, out of line as <see cref="Redraw"/> is.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int PeekRejected(ulong bound, ulong low, ulong high) =>
        // Stryker disable once Equality : <= also rejects a low half exactly at the threshold, which one raw draw in 2^64 gives for a bound, as in Redraw (the tests pin a rejected and an accepted peek)
        low < (0UL - bound) % bound ? -1 : (int)high;

    /// <summary>The rejection step of <see cref="NextRandom"/>, out of line: it practically never runs.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Redraw(ulong bound, ulong low, ulong high)
    {
        ulong threshold = (0UL - bound) % bound;
        // Stryker disable once Equality : <= also rejects a low half exactly at the threshold, which one raw draw in 2^64 gives for a bound, so no seed for it can be searched out (the tests pin a rejected and an accepted draw)
        while (low < threshold)
        {
            high = Multiply(Next64(), bound, out low);
        }

        return (int)high;
    }

    /// <summary>The tokens of <paramref name="existing"/>, then new ones up to <paramref name="count"/>.</summary>
    private static LeaseToken[] NewTokens(int count, LeaseToken[] existing)
    {
        var tokens = new LeaseToken[count];
        Array.Copy(existing, tokens, existing.Length);
        for (int i = existing.Length; i < count; i++)
        {
            tokens[i] = new LeaseToken();
        }

        return tokens;
    }

    private static int[] Ascending(int count)
    {
        var positions = new int[count];
        for (int i = 0; i < count; i++)
        {
            positions[i] = i;
        }

        return positions;
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

    /// <summary>The stack of free tokens is empty: find the tokens whose leases ended, doubling the tokens if too few did.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private LeaseToken RentTokenAfterReclaim()
    {
        LeaseToken[] tokens = _tokens;
        int[] free = _free;
        int count = 0;
        for (int i = 0; i < tokens.Length; i++)
        {
            if (Volatile.Read(ref tokens[i].InUse) == 0)
            {
                free[count++] = i;
            }
        }

        int stillOut = tokens.Length - count;
        if (count == 0 || count < stillOut / 2)
        {
            // The new tokens are free: at least as many as are still out, so the next pass is as far away again.
            int length = tokens.Length;
            _tokens = NewTokens(length * 2, tokens);
            _free = new int[length * 2];
            Array.Copy(free, _free, count);
            for (int i = length; i < length * 2; i++)
            {
                _free[count++] = i;
            }
        }

        _freeCount = count;
        return RentToken();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong Next64()
    {
        ulong state = _randomState += 0xA0761D6478BD642FUL;
        ulong high = Multiply(state, state ^ 0xE7037ED1A0B428DBUL, out ulong low);
        return high ^ low;
    }

    /// <summary>The 128-bit product of two 64-bit numbers: the high half returned, the low half in <paramref name="low"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Multiply(ulong left, ulong right, out ulong low)
    {
#if NET
        // With BMI2, the high half by MULX alone and the low half by a plain multiply: Math.BigMul hands its low half
        // back through memory, a store and a reload in the middle of the draw.
        // Stryker disable once Conditional : both ways give the same product (the seeded-sequence tests pin it), so forcing either is equivalent where BMI2 exists (forced to MULX without BMI2 it would throw, which no x64 test machine here can show)
        if (Bmi2.X64.IsSupported)
        {
            low = left * right;
            return Bmi2.X64.MultiplyNoFlags(left, right);
        }

        return Math.BigMul(left, right, out low);
#else
        ulong leftLow = (uint)left, leftHigh = left >> 32, rightLow = (uint)right, rightHigh = right >> 32;
        ulong lowLow = leftLow * rightLow, highLow = leftHigh * rightLow, lowHigh = leftLow * rightHigh;
        ulong middle = (lowLow >> 32) + (uint)highLow + (uint)lowHigh;
        low = (middle << 32) | (uint)lowLow;
        return (leftHigh * rightHigh) + (highLow >> 32) + (lowHigh >> 32) + (middle >> 32);
#endif
    }
}
