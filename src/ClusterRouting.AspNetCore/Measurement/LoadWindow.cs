namespace ClusterRouting.AspNetCore;

/// <summary>
/// CPU and memory samples over a trailing window, in a fixed ring of time buckets so that memory stays bounded however
/// many samples arrive (the same scheme as the core's utilization window: a sample counts until the start of its bucket
/// is a whole window old). Not thread-safe: the sampler owns it.
/// </summary>
internal sealed class LoadWindow
{
    private readonly Bucket[] _buckets;
    private readonly long _bucketTicks;

    public LoadWindow(TimeSpan window, int bucketCount)
    {
        _buckets = new Bucket[bucketCount];
        // A bucket never written keeps index 0 and no samples: it adds nothing to an average, whatever its index.
        _bucketTicks = Math.Max(1, window.Ticks / bucketCount);
    }

    /// <summary>Adds a sample at <paramref name="now"/> (time since the member started, never negative); a null value is not counted.</summary>
    public void Add(TimeSpan now, double? cpuPercent, double? memoryPercent)
    {
        if (cpuPercent is null && memoryPercent is null)
        {
            return;
        }

        long index = now.Ticks / _bucketTicks;
        ref Bucket bucket = ref _buckets[(int)(index % _buckets.Length)];
        if (bucket.Index != index)
        {
            bucket = new Bucket { Index = index };
        }

        if (cpuPercent is double cpu)
        {
            bucket.CpuSum += cpu;
            bucket.CpuCount++;
        }

        if (memoryPercent is double memory)
        {
            bucket.MemorySum += memory;
            bucket.MemoryCount++;
        }
    }

    public Averages Compute(TimeSpan now)
    {
        long current = now.Ticks / _bucketTicks;
        long oldestKept = current - _buckets.Length + 1;
        var cpu = default(Sum);
        var memory = default(Sum);
        for (int i = 0; i < _buckets.Length; i++)
        {
            ref Bucket bucket = ref _buckets[i];
            if (bucket.Index >= oldestKept && bucket.Index <= current)
            {
                cpu.Add(bucket.CpuSum, bucket.CpuCount, bucket.Index);
                memory.Add(bucket.MemorySum, bucket.MemoryCount, bucket.Index);
            }
        }

        return new Averages(cpu.Average, cpu.ExpiresAt(_buckets.Length, _bucketTicks), memory.Average, memory.ExpiresAt(_buckets.Length, _bucketTicks));
    }

    /// <summary>The averages in the window, and when the oldest sample of each leaves it (null with no sample).</summary>
    internal readonly record struct Averages(double? CpuPercent, TimeSpan? CpuOldestExpiresAt, double? MemoryPercent, TimeSpan? MemoryOldestExpiresAt);

    private struct Sum
    {
        private double _sum;
        private int _count;
        private long _oldest;

        public readonly double? Average => _count == 0 ? null : _sum / _count;

        public void Add(double sum, int count, long index)
        {
            if (count == 0)
            {
                return;
            }

            _oldest = _count == 0 ? index : Math.Min(_oldest, index);
            _sum += sum;
            _count += count;
        }

        // The oldest bucket leaves the window when the bucket a whole window after it begins.
        public readonly TimeSpan? ExpiresAt(int bucketCount, long bucketTicks) =>
            _count == 0 ? null : TimeSpan.FromTicks((_oldest + bucketCount) * bucketTicks);
    }

    private struct Bucket
    {
        public long Index;
        public double CpuSum;
        public int CpuCount;
        public double MemorySum;
        public int MemoryCount;
    }
}
