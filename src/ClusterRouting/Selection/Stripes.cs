using System.Globalization;

namespace ClusterRouting;

/// <summary>
/// How per-member counters are split so that threads selecting at the same time write different cache lines.
/// </summary>
/// <remarks>
/// <para>
/// Each member's in-flight count (and each cluster's round-robin cursor) is kept as <see cref="Count"/> stripes, each
/// on a cache line of its own. A thread is given one stripe the first time it selects (threads are dealt stripes in
/// turn), and keeps it for its lifetime, so one thread always behaves the same way and two threads that select at
/// the same time usually write different lines: nothing is written to a line another core writes on every
/// selection.
/// </para>
/// <para>
/// A concurrency limit is split among the stripes (<see cref="Quota"/>): the quotas add up to the limit, so the sum
/// of the stripes never exceeds it. A stripe whose quota is used up takes a slot from another stripe that has one
/// free, so a member refuses an operation only when every stripe is full, that is, when the limit is reached.
/// </para>
/// <para>
/// The runtime configuration setting <see cref="CountSetting"/> replaces the processor count in the rule, for a
/// process whose processor count misleads (a container limited to fewer cores than the machine reports) or for tests
/// that must see the same stripes on every machine. It is read once, when the first member is created.
/// </para>
/// </remarks>
internal static class Stripes
{
    /// <summary>How far apart two stripes are, in <see cref="int"/>s: 128 bytes, two cache lines, so the adjacent-line prefetcher does not pair them.</summary>
    public const int Spacing = 32;

    private const int MaxCount = 16;

    /// <summary>
    /// The runtime configuration setting (runtimeconfig.json <c>configProperties</c>, or
    /// <c>RuntimeHostConfigurationOption</c> in the project file) that the stripe count is derived from instead of the
    /// processor count: a whole number from 1, rounded up to a power of two, at most 16.
    /// </summary>
    public const string CountSetting = "ClusterRouting.StripeCount";

    private static int s_nextStripe = -1;

    /// <summary>The number of stripes: a power of two at least the processor count (or <see cref="CountSetting"/>), at most 16.</summary>
    public static readonly int Count = CountFor(Configured(AppContext.GetData(CountSetting)) ?? Environment.ProcessorCount);

    /// <summary><see cref="Count"/> - 1.</summary>
    public static readonly int Mask = Count - 1;

    /// <summary>log2(<see cref="Count"/>).</summary>
    public static readonly int Shift = Log2(Count);

    /// <summary><see cref="Offset"/> of the last stripe.</summary>
    public static readonly int LastOffset = Count * Spacing;

    /// <summary>The length of an array that holds one <see cref="int"/> per stripe, spaced apart, with a spacing before the first and after the last.</summary>
    public static int ArrayLength => (Count + 1) * Spacing;

    /// <summary>The position in a striped array of <paramref name="stripe"/>'s value.</summary>
    public static int Offset(int stripe) => (stripe + 1) * Spacing;

    /// <summary>The stripe for the next thread that asks: threads are dealt stripes in turn.</summary>
    public static int NextForThread() => Interlocked.Increment(ref s_nextStripe) & Mask;

    /// <summary>Stripe <paramref name="stripe"/>'s share of <paramref name="limit"/>: the limit divided evenly, the remainder going one each to the first stripes.</summary>
    public static int Quota(int limit, int stripe) => (limit >> Shift) + (stripe < (limit & Mask) ? 1 : 0);

    /// <summary>The value of <see cref="CountSetting"/>: null when it is not set.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The setting is not a whole number from 1.</exception>
    // CA2208: the bad value is not an argument of a method but the runtime configuration setting, which ParamName names.
#pragma warning disable CA2208
    internal static int? Configured(object? setting)
    {
        if (setting is null)
        {
            return null;
        }

        int count = setting switch
        {
            int value => value,
            string text when int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) => parsed,
            _ => 0,
        };
        if (count < 1)
        {
            throw new ArgumentOutOfRangeException(CountSetting, setting, $"The runtime configuration setting {CountSetting} must be a whole number from 1; it is '{setting}'.");
        }

        return count;
    }
#pragma warning restore CA2208

    internal static int CountFor(int processorCount)
    {
        int count = 1;
        while (count < processorCount && count < MaxCount)
        {
            count <<= 1;
        }

        return count;
    }

    private static int Log2(int powerOfTwo)
    {
        int shift = 0;
        while ((1 << shift) < powerOfTwo)
        {
            shift++;
        }

        return shift;
    }
}
