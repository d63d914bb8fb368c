using ClusterRouting.Admin;

namespace ClusterRouting;

/// <summary>
/// Settings of the operators' console mapped by <c>MapClusterRoutingAdmin</c>: which authorization policies guard its
/// reads and its changes, and how often the live page is refreshed.
/// </summary>
public sealed class ClusterRoutingAdminOptions
{
    /// <summary>
    /// Gets or sets the name of the authorization policy a caller must satisfy to change anything: enable, disable or
    /// remove a member, set the mode, remove a cluster. Required: nothing is mapped without it.
    /// </summary>
    /// <value>The default value is <see langword="null"/>, which fails the mapping until a policy is named.</value>
    public string? ChangePolicy { get; set; }

    /// <summary>
    /// Gets or sets the name of the authorization policy a caller must satisfy to read: the page, the clusters, their
    /// members and the live updates. Reads can be opened to more people than changes (a reader role beside an operator
    /// role), never to anonymous callers unless the named policy allows them.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: reads require <see cref="ChangePolicy"/>.</value>
    public string? ReadPolicy { get; set; }

    /// <summary>Gets or sets how often the live page receives the clusters' state (server-sent events).</summary>
    /// <value>The default value is 1 second; from 100 milliseconds to 1 minute.</value>
    public TimeSpan RefreshInterval { get; set; } = AdminDefaults.RefreshInterval;
}
