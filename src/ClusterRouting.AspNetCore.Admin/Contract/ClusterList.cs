namespace ClusterRouting.Admin.Contract;

/// <summary>The registered clusters: <c>GET {prefix}/api/clusters</c>.</summary>
internal sealed record ClusterList(IReadOnlyList<ClusterSummary> Clusters);
