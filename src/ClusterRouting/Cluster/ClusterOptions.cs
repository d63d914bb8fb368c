namespace ClusterRouting;

/// <summary>The settings of one cluster: its members in failover order and how members are selected.</summary>
public sealed class ClusterOptions
{
    /// <summary>
    /// Gets the members in failover order. The first member is the primary.
    /// At most <see cref="ClusterLimits.MaxMembers"/> (10) are expected; a cluster set up with more keeps operating
    /// (and logs a warning) but refuses additions until it is below the limit again.
    /// </summary>
    /// <value>The default value is an empty list.</value>
    public IList<ClusterMemberOptions> Members { get; init; } = new List<ClusterMemberOptions>();

    /// <summary>Gets or sets how the cluster chooses among its eligible members.</summary>
    /// <value>The default value is <see cref="SelectionMode.Failover"/>.</value>
    public SelectionMode Mode { get; set; } = SelectionMode.Failover;
}
