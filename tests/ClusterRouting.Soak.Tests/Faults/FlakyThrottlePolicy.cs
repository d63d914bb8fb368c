namespace ClusterRouting.Soak.Tests.Faults;

/// <summary>
/// A custom throttle policy, added to each router's cluster with <c>AddThrottlePolicy</c>: it admits every member, and
/// throws while the schedule says so. The engine evaluates it whenever a probe reports a member's load.
/// </summary>
internal sealed class FlakyThrottlePolicy(FaultSwitches switches) : ThrottlePolicy
{
    public override string Name => "soak-flaky";

    public override ThrottleDecision Evaluate(in MemberLoad load)
    {
        if (switches.PolicyThrows)
        {
            switches.CountPolicyThrow();
            throw new InvalidOperationException("Soak fault: the custom throttle policy throws.");
        }

        return ThrottleDecision.Admit;
    }
}
