namespace ClusterRouting;

/// <summary>MemoryUtilizationPercentageThreshold: throttles a member whose average memory in the window is at or over the threshold.</summary>
internal sealed class MemoryThrottlePolicy : ThrottlePolicy
{
    public MemoryThrottlePolicy(double threshold)
    {
        Threshold = threshold;
    }

    public double Threshold { get; }

    public override string Name => "memory";

    public override ThrottleLimitKind Kind => ThrottleLimitKind.Memory;

    public override ThrottleDecision Evaluate(in MemberLoad load) =>
        load.MemoryPercent >= Threshold ? ThrottleDecision.Throttle(load.NextSampleExpiry) : ThrottleDecision.Admit;
}
