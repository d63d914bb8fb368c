namespace ClusterRouting;

/// <summary>What a cluster does with a member when a <see cref="ThrottlePolicy"/> throws while evaluating it.</summary>
public enum ThrottlePolicyFailureMode
{
    /// <summary>
    /// Ignore the failing policy for that evaluation: the member is admitted as far as that policy goes. This is the
    /// default, because a policy that always throws would otherwise take every member out of service.
    /// </summary>
    FailOpen = 0,

    /// <summary>Throttle the member until the next evaluation, as if the policy had decided so.</summary>
    FailClosed = 1,
}
