namespace ClusterRouting;

/// <summary>ConcurrentOperationLimitPreview: at most this many operations in flight per member.</summary>
internal sealed class ConcurrencyThrottlePolicy : ThrottlePolicy
{
    private readonly ThrottleDecision _decision;

    public ConcurrencyThrottlePolicy(int limit)
    {
        _decision = ThrottleDecision.LimitConcurrency(limit);
    }

    public override string Name => "concurrency";

    public override ThrottleLimitKind Kind => ThrottleLimitKind.Concurrency;

    public override ThrottleDecision Evaluate(in MemberLoad load) => _decision;
}
