namespace ClusterRouting;

/// <summary>The kind of limit that throttles a member.</summary>
public enum ThrottleLimitKind
{
    /// <summary>The member's CPU utilization, averaged over the aggregation window, is at or over its threshold.</summary>
    Cpu = 0,

    /// <summary>The member's memory utilization, averaged over the aggregation window, is at or over its threshold.</summary>
    Memory = 1,

    /// <summary>The member has as many operations in flight as its concurrent-operation limit allows.</summary>
    Concurrency = 2,

    /// <summary>A limit of a custom <see cref="ThrottlePolicy"/>.</summary>
    Custom = 3,
}
