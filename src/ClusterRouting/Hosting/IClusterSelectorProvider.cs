namespace ClusterRouting;

/// <summary>Resolves the clusters registered with <c>AddClusterRouting</c> by name.</summary>
public interface IClusterSelectorProvider
{
    /// <summary>Gets the names of the registered clusters.</summary>
    IReadOnlyCollection<string> ClusterNames { get; }

    /// <summary>Gets the cluster registered under <paramref name="clusterName"/>, creating it from its options the first time.</summary>
    /// <param name="clusterName">The cluster's name, as registered (compared ordinally).</param>
    /// <returns>The cluster: the same instance for the life of the service provider.</returns>
    /// <exception cref="ArgumentException">No cluster is registered under that name.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The cluster's options are invalid.</exception>
    ClusterSelector GetCluster(string clusterName);
}
