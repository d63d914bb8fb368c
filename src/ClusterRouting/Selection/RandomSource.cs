using System.Globalization;

namespace ClusterRouting;

/// <summary>
/// The source of randomness for <see cref="SelectionMode.Random"/> selection and for breaking ties between equally loaded
/// members in <see cref="SelectionMode.LeastLoaded"/>. Implementations must be safe to call
/// from several threads at once. Use <see cref="Shared"/> in production and <see cref="FromSeed(int)"/> for a
/// repeatable sequence in tests.
/// </summary>
public abstract class RandomSource
{
    /// <summary>
    /// Gets the default source: a wyrand generator per thread, seeded from a system-wide source, so it is thread-safe
    /// and lock-free and threads never contend for it. Selections draw from the selecting thread's generator directly.
    /// </summary>
    public static RandomSource Shared { get; } = new SharedRandomSource();

    /// <summary>Creates a thread-safe source that yields the same sequence for the same seed.</summary>
    /// <param name="seed">The seed.</param>
    /// <returns>A seeded source. Calls are serialized by a lock, so prefer <see cref="Shared"/> outside tests.</returns>
    public static RandomSource FromSeed(int seed) => new SeededRandomSource(seed);

    /// <summary>Returns a random integer in [0, <paramref name="maxValue"/>).</summary>
    /// <param name="maxValue">The exclusive upper bound; at least 1.</param>
    /// <returns>An integer at least 0 and less than <paramref name="maxValue"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxValue"/> is less than 1 (the built-in sources).</exception>
    /// <remarks>
    /// A selection that draws a value outside the range from a cluster's source throws
    /// <see cref="InvalidOperationException"/> naming the source, the value and the bound; an exception the source throws
    /// propagates from the selection as it is. Either way the selection takes no slot.
    /// </remarks>
    public abstract int Next(int maxValue);

    /// <summary>
    /// <see cref="Next(int)"/>, checked: a value outside [0, <paramref name="maxValue"/>) is reported as the source's own
    /// defect, before a selection uses it, instead of surfacing as an index out of range, or (a draw that still lands
    /// on a member) as a member the selection should not have taken.
    /// </summary>
    /// <exception cref="InvalidOperationException">The source returned a value outside the range.</exception>
    internal int NextInRange(int maxValue)
    {
        int value = Next(maxValue);
        if ((uint)value >= (uint)maxValue)
        {
            ThrowOutOfRange(value, maxValue);
        }

        return value;
    }

    private void ThrowOutOfRange(int value, int maxValue) =>
        throw new InvalidOperationException(
            "The random source " + GetType().FullName + " returned " + value.ToString(CultureInfo.InvariantCulture) + " from Next("
            + maxValue.ToString(CultureInfo.InvariantCulture) + "): a RandomSource must return a value at least 0 and less than maxValue.");

    /// <summary>The shared source: a generator per thread, so threads never contend for it.</summary>
    internal sealed class SharedRandomSource : RandomSource
    {
        public override int Next(int maxValue)
        {
            Guard.AtLeast(maxValue, 1);
            return LeaseThread.Current.NextRandom(maxValue);
        }
    }

    private sealed class SeededRandomSource : RandomSource
    {
        private readonly Random _random;
        private readonly Lock _gate = new();

        public SeededRandomSource(int seed)
        {
#pragma warning disable CA5394 // Routing needs a uniform spread, not unpredictability.
            _random = new Random(seed);
        }

        public override int Next(int maxValue)
        {
            Guard.AtLeast(maxValue, 1);
            lock (_gate)
            {
                return _random.Next(maxValue);
            }
        }
#pragma warning restore CA5394
    }
}
