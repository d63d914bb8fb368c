using ClusterRouting.AspNetCore;

namespace ClusterRouting.AspNetCore.Tests.TestSupport;

/// <summary>A measurement source whose next samples the test sets: a CPU or memory spike on demand, deterministic.</summary>
internal sealed class ScriptedUtilizationSource : IMemberUtilizationSource
{
    private readonly object _gate = new();
    private UtilizationSample _next;
    private int _calls;

    public ScriptedUtilizationSource(double? cpuPercent = null, double? memoryPercent = null) => _next = new UtilizationSample(cpuPercent, memoryPercent);

    public int Calls => Volatile.Read(ref _calls);

    public Exception? Throw { get; set; }

    public void Set(double? cpuPercent, double? memoryPercent)
    {
        lock (_gate)
        {
            _next = new UtilizationSample(cpuPercent, memoryPercent);
        }
    }

    public UtilizationSample Measure()
    {
        Interlocked.Increment(ref _calls);
        if (Throw is Exception ex)
        {
            throw ex;
        }

        lock (_gate)
        {
            return _next;
        }
    }
}
