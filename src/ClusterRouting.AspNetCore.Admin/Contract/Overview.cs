namespace ClusterRouting.Admin.Contract;

/// <summary>Every cluster in detail: each event of <c>GET {prefix}/api/events</c> (server-sent events).</summary>
/// <param name="Timestamp">When the overview was taken.</param>
/// <param name="Clusters">The registered clusters, by name.</param>
internal sealed record Overview(DateTimeOffset Timestamp, IReadOnlyList<ClusterDetail> Clusters);
