namespace ClusterRouting.AspNetCore;

/// <summary>
/// Measures the member's CPU and memory utilization. The member calls <see cref="Measure"/> once per
/// <see cref="MemberLimitsOptions.SamplingInterval"/>, from one thread at a time, and averages the samples over the
/// aggregation window. Register an implementation in the service collection to replace the default one, which
/// measures this process against the CPU and memory available to it (container limits included).
/// </summary>
public interface IMemberUtilizationSource
{
    /// <summary>
    /// Measures the utilization now: CPU as the share of the available processor time used since the previous call,
    /// memory as the share of the available memory in use. Either may be unknown (<see langword="null"/>), as CPU is
    /// on the first call of the default source. An exception is logged and the sample skipped.
    /// </summary>
    /// <returns>The sample, each value from 0 to 100 (values over 100 count as 100; negative or NaN values are dropped).</returns>
    UtilizationSample Measure();
}
