namespace ClusterRouting.AspNetCore;

/// <summary>One measurement of a member's CPU and memory utilization, in percent.</summary>
/// <param name="cpuPercent">The CPU utilization from 0 to 100, or <see langword="null"/> when unknown.</param>
/// <param name="memoryPercent">The memory utilization from 0 to 100, or <see langword="null"/> when unknown.</param>
public readonly struct UtilizationSample(double? cpuPercent, double? memoryPercent) : IEquatable<UtilizationSample>
{
    /// <summary>Gets the CPU utilization from 0 to 100, or <see langword="null"/> when unknown.</summary>
    public double? CpuPercent { get; } = cpuPercent;

    /// <summary>Gets the memory utilization from 0 to 100, or <see langword="null"/> when unknown.</summary>
    public double? MemoryPercent { get; } = memoryPercent;

    /// <summary>Compares two samples.</summary>
    /// <param name="left">The first sample.</param>
    /// <param name="right">The second sample.</param>
    /// <returns><see langword="true"/> when both values are equal.</returns>
    public static bool operator ==(UtilizationSample left, UtilizationSample right) => left.Equals(right);

    /// <summary>Compares two samples.</summary>
    /// <param name="left">The first sample.</param>
    /// <param name="right">The second sample.</param>
    /// <returns><see langword="true"/> when a value differs.</returns>
    public static bool operator !=(UtilizationSample left, UtilizationSample right) => !left.Equals(right);

    /// <inheritdoc/>
    public bool Equals(UtilizationSample other) => Nullable.Equals(CpuPercent, other.CpuPercent) && Nullable.Equals(MemoryPercent, other.MemoryPercent);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is UtilizationSample other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(CpuPercent, MemoryPercent);

    /// <inheritdoc/>
    public override string ToString() => $"CPU {Format(CpuPercent)}, memory {Format(MemoryPercent)}";

    private static string Format(double? percent) => percent is double value ? value.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " %" : "unknown";
}
