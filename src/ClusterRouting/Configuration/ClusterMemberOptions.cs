namespace ClusterRouting;

/// <summary>One member of a cluster, as configured.</summary>
public sealed class ClusterMemberOptions
{
    /// <summary>Initializes a new instance of the <see cref="ClusterMemberOptions"/> class.</summary>
    public ClusterMemberOptions()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ClusterMemberOptions"/> class.</summary>
    /// <param name="id">The member's id.</param>
    /// <param name="version">The version the member runs, if known.</param>
    /// <param name="enabled">Whether the member may be selected.</param>
    public ClusterMemberOptions(string id, string? version = null, bool enabled = true)
    {
        Id = id;
        Version = version;
        Enabled = enabled;
    }

    /// <summary>Gets or sets the member's id: non-empty and unique in its cluster, ignoring case.</summary>
    /// <value>The default value is <see cref="string.Empty"/>, which is invalid: every member needs an id.</value>
    public string Id { get; set; } = string.Empty;

    /// <summary>Gets or sets the version the member runs. Members that run different versions are reported as version skew.</summary>
    /// <value>The default value is <see langword="null"/> (unknown; not compared).</value>
    public string? Version { get; set; }

    /// <summary>Gets or sets a value indicating whether the member may be selected. A disabled member is never selected.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Gets or sets where the member is reached: an absolute http or https address, which may carry a base path
    /// (<c>http://10.0.0.5:8080/gateway/</c>). The engine only carries it (<see cref="MemberLease.Address"/>,
    /// <see cref="MemberStatus.Address"/>); the HTTP integration sends each request to it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: the member has no address the library knows of.</value>
    public Uri? Address { get; set; }

    /// <summary>
    /// Gets or sets the member's share relative to the others, for members of different sizes: from 1 to 100.
    /// <see cref="SelectionMode.Random"/> draws each member in proportion to its weight,
    /// <see cref="SelectionMode.RoundRobin"/> rotates in a smooth weighted order (nginx's smooth weighted round robin:
    /// weights 5, 1, 1 give a, a, b, a, c, a, a), and <see cref="SelectionMode.LeastLoaded"/> divides a member's
    /// in-flight count by its concurrency limit times its weight. <see cref="SelectionMode.Failover"/> ignores weights.
    /// When every eligible member has the same weight, selection is exactly the unweighted one.
    /// </summary>
    /// <value>The default value is 1.</value>
    public int Weight { get; set; } = MemberWeights.Default;

    /// <summary>A copy of this member's settings.</summary>
    internal ClusterMemberOptions Clone() => new(Id, Version, Enabled) { Address = Address, Weight = Weight };
}
