using ClusterRouting.Admin.Contract;

namespace ClusterRouting.Admin;

/// <summary>A cluster's routing activity over the window: its own counts and those of each member that has any.</summary>
internal sealed record ClusterActivitySnapshot(RoutingActivityCounts Cluster, IReadOnlyDictionary<string, RoutingActivityCounts> Members);
