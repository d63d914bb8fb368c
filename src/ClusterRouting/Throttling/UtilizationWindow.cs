namespace ClusterRouting;

/// <summary>
/// CPU and memory samples of one member over a trailing window, in a fixed ring of time buckets so that memory stays
/// bounded however many samples arrive. Guarded by the cluster's write lock.
/// </summary>
/// <remarks>A bucket with no sample counts for nothing: a new ring's buckets (index 0, no samples) are told apart from used ones by their count.</remarks>
internal sealed class UtilizationWindow
{
    private readonly Bucket[] _buckets;
    private readonly long _bucketTicks;

    public UtilizationWindow(TimeSpan window, int bucketCount)
    {
        _buckets = new Bucket[bucketCount];
        _bucketTicks = window.Ticks / bucketCount;
    }

    /// <param name="now">The cluster's clock: never negative (<see cref="ClusterClock"/>), so the bucket index is never negative.</param>
    /// <param name="cpuPercent">0 to 100.</param>
    /// <param name="memoryPercent">0 to 100.</param>
    public void Add(TimeSpan now, double cpuPercent, double memoryPercent)
    {
        long index = now.Ticks / _bucketTicks;
        ref Bucket bucket = ref _buckets[(int)(index % _buckets.Length)];
        if (bucket.Index != index)
        {
            bucket = new Bucket { Index = index };
        }

        bucket.CpuSum += cpuPercent;
        bucket.MemorySum += memoryPercent;
        bucket.Count++;
    }

    public Aggregate Compute(TimeSpan now)
    {
        long current = now.Ticks / _bucketTicks;
        long oldestKept = current - _buckets.Length + 1;
        double cpu = 0;
        double memory = 0;
        int count = 0;
        long oldest = long.MaxValue;
        for (int i = 0; i < _buckets.Length; i++)
        {
            ref Bucket bucket = ref _buckets[i];
            if (bucket.Count > 0 && bucket.Index >= oldestKept && bucket.Index <= current)
            {
                cpu += bucket.CpuSum;
                memory += bucket.MemorySum;
                count += bucket.Count;
                oldest = Math.Min(oldest, bucket.Index);
            }
        }

        if (count == 0)
        {
            return default;
        }

        // The oldest bucket leaves the window when the bucket a whole window after it begins.
        var expiresAt = TimeSpan.FromTicks((oldest + _buckets.Length) * _bucketTicks);
        return new Aggregate(cpu / count, memory / count, count, expiresAt);
    }

    internal readonly record struct Aggregate(double? CpuPercent, double? MemoryPercent, int SampleCount, TimeSpan? ExpiresAt);

    private struct Bucket
    {
        public long Index;
        public double CpuSum;
        public double MemorySum;
        public int Count;
    }
}
