namespace ClusterRouting;

/// <summary>
/// The source of randomness for <see cref="SelectionMode.Random"/> selection. Implementations must be safe to call
/// from several threads at once. Use <see cref="Shared"/> in production and <see cref="FromSeed(int)"/> for a
/// repeatable sequence in tests.
/// </summary>
public abstract class RandomSource
{
    /// <summary>Gets the default source: <c>Random.Shared</c> on .NET (a random per thread on netstandard2.0), thread-safe and lock-free.</summary>
    public static RandomSource Shared { get; } = new SharedRandomSource();

    /// <summary>Creates a thread-safe source that yields the same sequence for the same seed.</summary>
    /// <param name="seed">The seed.</param>
    /// <returns>A seeded source. Calls are serialized by a lock, so prefer <see cref="Shared"/> outside tests.</returns>
    public static RandomSource FromSeed(int seed) => new SeededRandomSource(seed);

    /// <summary>Returns a random integer in [0, <paramref name="maxValue"/>).</summary>
    /// <param name="maxValue">The exclusive upper bound; at least 1.</param>
    /// <returns>An integer at least 0 and less than <paramref name="maxValue"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxValue"/> is less than 1 (the built-in sources).</exception>
    public abstract int Next(int maxValue);

    private sealed class SharedRandomSource : RandomSource
    {
#if NET
        public override int Next(int maxValue)
        {
            Guard.AtLeast(maxValue, 1);
            return Random.Shared.Next(maxValue);
        }
#else
        [ThreadStatic]
        private static Random? t_random;

#pragma warning disable CA5394 // Routing needs a uniform spread, not unpredictability.
        public override int Next(int maxValue)
        {
            Guard.AtLeast(maxValue, 1);
            return (t_random ??= new Random(Guid.NewGuid().GetHashCode())).Next(maxValue);
        }
#pragma warning restore CA5394
#endif
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
