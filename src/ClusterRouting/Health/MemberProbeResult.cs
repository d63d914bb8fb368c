namespace ClusterRouting;

/// <summary>
/// What an active health probe found a member to be: offline, or online with, when it reported them, its average CPU
/// and memory utilization and its version. Reported with <see cref="IClusterSelector.ReportProbe"/>.
/// </summary>
public readonly struct MemberProbeResult : IEquatable<MemberProbeResult>
{
    private MemberProbeResult(bool isOnline, double? cpuPercent, double? memoryPercent, string? version)
    {
        IsOnline = isOnline;
        CpuPercent = cpuPercent;
        MemoryPercent = memoryPercent;
        Version = version;
    }

    /// <summary>Gets the result of a probe that found the member offline (no answer, an error, or the member said so).</summary>
    public static MemberProbeResult Offline => default;

    /// <summary>Gets a value indicating whether the member answered its probe as online.</summary>
    public bool IsOnline { get; }

    /// <summary>Gets the member's average CPU utilization (0-100) as it reported it, when it did.</summary>
    public double? CpuPercent { get; }

    /// <summary>Gets the member's average memory utilization (0-100) as it reported it, when it did.</summary>
    public double? MemoryPercent { get; }

    /// <summary>Gets the version the member reported, when it did.</summary>
    public string? Version { get; }

    /// <summary>The result of a probe that found the member online.</summary>
    /// <param name="cpuPercent">Its average CPU utilization, 0 to 100, or <see langword="null"/> when it did not report one.</param>
    /// <param name="memoryPercent">Its average memory utilization, 0 to 100, or <see langword="null"/> when it did not report one.</param>
    /// <param name="version">Its version, or <see langword="null"/> when it did not report one.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A utilization is outside 0 to 100 or not a number.</exception>
    public static MemberProbeResult Online(double? cpuPercent = null, double? memoryPercent = null, string? version = null)
    {
        if (cpuPercent is double cpu)
        {
            Guard.Percentage(cpu, nameof(cpuPercent));
        }

        if (memoryPercent is double memory)
        {
            Guard.Percentage(memory, nameof(memoryPercent));
        }

        return new MemberProbeResult(true, cpuPercent, memoryPercent, string.IsNullOrWhiteSpace(version) ? null : version);
    }

    /// <inheritdoc />
    public bool Equals(MemberProbeResult other) =>
        IsOnline == other.IsOnline && CpuPercent.Equals(other.CpuPercent) && MemoryPercent.Equals(other.MemoryPercent)
        && string.Equals(Version, other.Version, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MemberProbeResult other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (IsOnline, CpuPercent, MemoryPercent, Version).GetHashCode();

    /// <inheritdoc />
    public override string ToString() => IsOnline
        ? FormattableString.Invariant($"online (CPU {CpuPercent?.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}%, memory {MemoryPercent?.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) ?? "-"}%{(Version is null ? string.Empty : ", version " + Version)})")
        : "offline";

    /// <summary>Whether two results are equal.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns><see langword="true"/> when they are equal.</returns>
    public static bool operator ==(MemberProbeResult left, MemberProbeResult right) => left.Equals(right);

    /// <summary>Whether two results differ.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns><see langword="true"/> when they differ.</returns>
    public static bool operator !=(MemberProbeResult left, MemberProbeResult right) => !left.Equals(right);
}
