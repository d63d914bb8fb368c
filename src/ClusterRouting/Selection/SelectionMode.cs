namespace ClusterRouting;

/// <summary>How a cluster chooses among its eligible members.</summary>
public enum SelectionMode
{
    /// <summary>
    /// The primary (first) member whenever it is eligible; otherwise the next eligible member in order.
    /// This is the gateway's default routing.
    /// </summary>
    Failover = 0,

    /// <summary>
    /// Uniformly random among the eligible members: the gateway's
    /// "Distribute requests across all active gateways in this cluster" setting. Members whose
    /// <see cref="ClusterMemberOptions.Weight"/> differs are drawn in proportion to their weights.
    /// </summary>
    Random = 1,

    /// <summary>
    /// An even rotation over the eligible members. Each thread follows the rotation exactly; threads selecting at the
    /// same time each rotate on a cursor of their own (so that they do not contend for one counter), which keeps the
    /// shares even across threads but interleaves their rotations. Members whose <see cref="ClusterMemberOptions.Weight"/>
    /// differs rotate in nginx's smooth weighted order (weights 5, 1, 1 give a, a, b, a, c, a, a).
    /// </summary>
    RoundRobin = 2,

    /// <summary>
    /// The eligible member with the fewest operations in flight relative to its capacity (its concurrency limit times
    /// its <see cref="ClusterMemberOptions.Weight"/>), found by comparing every eligible member; members tied for the
    /// lowest load are chosen among at random, so selectors on several threads do not all pile onto one member. A
    /// member without a concurrency limit counts as having a limit of 16,777,216 (so its load is its in-flight count,
    /// divided by its weight); a larger limit counts as that too. Clusters of more than 64 members compare 64 members
    /// at a time, from a random starting point, and move on to the next 64 only when none of those can take the
    /// operation: the cost stays that of 64 members.
    /// </summary>
    LeastLoaded = 3,
}
