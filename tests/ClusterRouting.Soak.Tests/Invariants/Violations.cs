using System.Collections.Concurrent;

namespace ClusterRouting.Soak.Tests.Invariants;

/// <summary>Every broken invariant seen during the soak, each with when and what; the first ones are kept whole.</summary>
internal sealed class Violations
{
    private const int Kept = 50;
    private readonly ConcurrentQueue<string> _first = new();
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public IReadOnlyCollection<string> First => _first;

    public void Add(string what)
    {
        if (Interlocked.Increment(ref _count) <= Kept)
        {
            _first.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {what}");
        }
    }
}
