namespace ClusterRouting.Tests.TestSupport;

/// <summary>A custom policy that gives each member it names a concurrency limit of its own (the others: none from it).</summary>
internal sealed class PerMemberLimitPolicy(IReadOnlyDictionary<string, int> limits) : ThrottlePolicy
{
    public override string Name => "per-member-limit";

    public override ThrottleDecision Evaluate(in MemberLoad load) =>
        limits.TryGetValue(load.MemberId, out int limit) ? ThrottleDecision.LimitConcurrency(limit) : ThrottleDecision.Admit;
}
