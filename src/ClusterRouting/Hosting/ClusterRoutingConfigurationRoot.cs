using Microsoft.Extensions.Configuration;

namespace ClusterRouting;

/// <summary>Records the section whose children became clusters, so that a cluster added to it later is noticed (and ignored, with a warning).</summary>
internal sealed class ClusterRoutingConfigurationRoot(IConfiguration section)
{
    public IConfiguration Section { get; } = section;
}
