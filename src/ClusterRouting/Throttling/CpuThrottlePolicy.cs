namespace ClusterRouting;

/// <summary>CPUUtilizationPercentageThreshold: throttles a member whose average CPU in the window is at or over the threshold.</summary>
internal sealed class CpuThrottlePolicy : ThrottlePolicy
{
    public CpuThrottlePolicy(double threshold)
    {
        Threshold = threshold;
    }

    public double Threshold { get; }

    public override string Name => "CPU";

    public override ThrottleLimitKind Kind => ThrottleLimitKind.Cpu;

    public override ThrottleDecision Evaluate(in MemberLoad load) =>
        load.CpuPercent >= Threshold ? ThrottleDecision.Throttle(load.NextSampleExpiry) : ThrottleDecision.Admit;
}
