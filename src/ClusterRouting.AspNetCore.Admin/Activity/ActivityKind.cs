namespace ClusterRouting.Admin;

/// <summary>What routing did, as counted for the console.</summary>
internal enum ActivityKind
{
    /// <summary>A selection chose the member.</summary>
    Selection = 0,

    /// <summary>A failover-mode selection went to the member instead of the primary.</summary>
    Failover = 1,

    /// <summary>An attempt on the member was refused by it.</summary>
    Refusal = 2,

    /// <summary>An attempt found the member offline.</summary>
    OfflineAttempt = 3,

    /// <summary>No member could take a selection (throttled or unavailable).</summary>
    FailedSelection = 4,
}
