using System.Diagnostics;

namespace ClusterRouting.AspNetCore;

/// <summary>
/// The default measurement: this process's CPU time since the previous call over the processor time available to it
/// in that interval (the container's CPU quota when there is one, else the processors the runtime may use), and its
/// working set over the memory available to it (the GC's figure, which is the container's memory limit when there is
/// one). The first call has no interval, so its CPU is unknown.
/// </summary>
internal sealed class ProcessUtilizationSource : IMemberUtilizationSource
{
    private readonly double _processors;
    private readonly long _memoryBytes;
    private long _lastTimestamp;
    private TimeSpan _lastCpuTime;

    public ProcessUtilizationSource()
        : this(CgroupCpuLimit.Read(CgroupCpuLimit.DefaultRoot), GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)
    {
    }

    internal ProcessUtilizationSource(double? cpuQuota, long memoryBytes)
    {
        _processors = cpuQuota is double quota ? Math.Min(quota, Environment.ProcessorCount) : Environment.ProcessorCount;
        _memoryBytes = memoryBytes;
    }

    /// <summary>The processors this process may use, as the CPU percentage counts them.</summary>
    public double Processors => _processors;

    public UtilizationSample Measure()
    {
        long now = Stopwatch.GetTimestamp();
        TimeSpan cpuTime = CpuTime();
        double? cpu = null;
        if (_lastTimestamp != 0)
        {
            double wall = Stopwatch.GetElapsedTime(_lastTimestamp, now).TotalSeconds;
            if (wall > 0)
            {
                cpu = Math.Clamp((cpuTime - _lastCpuTime).TotalSeconds / (wall * _processors) * 100, 0, 100);
            }
        }

        _lastTimestamp = now;
        _lastCpuTime = cpuTime;
        double? memory = _memoryBytes > 0 ? Math.Clamp(Environment.WorkingSet * 100.0 / _memoryBytes, 0, 100) : null;
        return new UtilizationSample(cpu, memory);
    }

#if NET9_0_OR_GREATER
    private static TimeSpan CpuTime() => Environment.CpuUsage.TotalTime;
#else
    private static TimeSpan CpuTime()
    {
        using Process process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }
#endif
}
