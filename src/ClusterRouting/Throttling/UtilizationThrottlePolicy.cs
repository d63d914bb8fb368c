namespace ClusterRouting;

/// <summary>
/// CPUUtilizationPercentageThreshold or MemoryUtilizationPercentageThreshold: throttles a member whose average
/// utilization over the aggregation window is at or over the threshold. A member with no sample in the window is admitted.
/// </summary>
internal sealed class UtilizationThrottlePolicy : ThrottlePolicy
{
    private UtilizationThrottlePolicy(ThrottleLimitKind kind, string name, double threshold)
    {
        Kind = kind;
        Name = name;
        Threshold = threshold;
    }

    public double Threshold { get; }

    public override string Name { get; }

    public override ThrottleLimitKind Kind { get; }

    public static UtilizationThrottlePolicy Cpu(double threshold) => new(ThrottleLimitKind.Cpu, "CPU", threshold);

    public static UtilizationThrottlePolicy Memory(double threshold) => new(ThrottleLimitKind.Memory, "memory", threshold);

    public override ThrottleDecision Evaluate(in MemberLoad load)
    {
        double? average = Kind == ThrottleLimitKind.Cpu ? load.CpuPercent : load.MemoryPercent;
        return average >= Threshold ? ThrottleDecision.Throttle(load.NextSampleExpiry) : ThrottleDecision.Admit;
    }
}
