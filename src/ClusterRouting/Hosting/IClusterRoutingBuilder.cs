using Microsoft.Extensions.DependencyInjection;

namespace ClusterRouting;

/// <summary>Adds clusters and throttle policies to a service collection; returned by <c>AddClusterRouting</c>.</summary>
public interface IClusterRoutingBuilder
{
    /// <summary>Gets the service collection the clusters are registered in.</summary>
    IServiceCollection Services { get; }
}
