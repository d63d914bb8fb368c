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
    /// "Distribute requests across all active gateways in this cluster" setting.
    /// </summary>
    Random = 1,

    /// <summary>
    /// An even rotation over the eligible members. Each thread follows the rotation exactly; threads selecting at the
    /// same time each rotate on a cursor of their own (so that they do not contend for one counter), which keeps the
    /// shares even across threads but interleaves their rotations.
    /// </summary>
    RoundRobin = 2,
}
