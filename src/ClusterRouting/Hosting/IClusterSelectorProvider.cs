namespace ClusterRouting;

/// <summary>Resolves the clusters registered with <c>AddClusterRouting</c> by name.</summary>
/// <remarks>
/// Each cluster has two faces: <see cref="IClusterSelector"/> for the code that routes work to it, and
/// <see cref="IClusterAdministration"/> for the code that changes its membership and settings (an admin endpoint, an
/// operator's tool). Both are the same cluster; each is also registered as a keyed service under the cluster's name.
/// The container owns the clusters and disposes them.
/// </remarks>
public interface IClusterSelectorProvider
{
    /// <summary>Gets the names of the registered clusters.</summary>
    IReadOnlyCollection<string> ClusterNames { get; }

    /// <summary>Gets the cluster registered under <paramref name="clusterName"/>, creating it from its options the first time.</summary>
    /// <param name="clusterName">The cluster's name, as registered (compared ordinally).</param>
    /// <returns>The cluster: the same instance for the life of the service provider.</returns>
    /// <exception cref="ArgumentException">No cluster is registered under that name.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The cluster's options are invalid.</exception>
    IClusterSelector GetCluster(string clusterName);

    /// <summary>Gets the administration of the cluster registered under <paramref name="clusterName"/>, creating the cluster the first time.</summary>
    /// <param name="clusterName">The cluster's name, as registered (compared ordinally).</param>
    /// <returns>The cluster's administration: the same cluster as <see cref="GetCluster"/> returns.</returns>
    /// <exception cref="ArgumentException">No cluster is registered under that name.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The cluster's options are invalid.</exception>
    IClusterAdministration GetAdministration(string clusterName);

    /// <summary>
    /// Removes a cluster at runtime (the gateway's "delete", at cluster scale): it is disposed (leases taken from it end
    /// as usual; every other use of it throws <see cref="ObjectDisposedException"/>), its name is no longer registered,
    /// and configuration does not bring it back until the application restarts.
    /// </summary>
    /// <param name="clusterName">The cluster's name, as registered (compared ordinally).</param>
    /// <returns><see langword="true"/> when the cluster was registered and is now removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="clusterName"/> is <see langword="null"/>.</exception>
    bool RemoveCluster(string clusterName);
}
