using ClusterRouting.AspNetCore;

namespace ClusterRouting.Soak.Tests.Cluster;

/// <summary>
/// The member's measurement, injected in place of the process measurement (all three members share one process, so
/// the real figure would say nothing about any one of them): a quiet CPU figure, or 100 % while a spike is on.
/// </summary>
internal sealed class SpikeableLoad : IMemberUtilizationSource
{
    public const double QuietCpuPercent = 5;
    public const double SpikeCpuPercent = 100;
    public const double MemoryPercent = 20;

    private int _spiking;

    public bool IsSpiking => Volatile.Read(ref _spiking) != 0;

    public void Spike(bool on) => Volatile.Write(ref _spiking, on ? 1 : 0);

    public UtilizationSample Measure() => new(IsSpiking ? SpikeCpuPercent : QuietCpuPercent, MemoryPercent);
}
