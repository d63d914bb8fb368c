namespace ClusterRouting;

/// <summary>Why an attempt of a run with failover moved on to the next member.</summary>
public enum AttemptOutcome
{
    /// <summary>The member was offline; it was penalized.</summary>
    Offline = 0,

    /// <summary>The member refused the operation for one of its limits; selections route around it for a cool-down.</summary>
    Refused = 1,
}
