using System.Text.Json.Serialization;

namespace ClusterRouting.Admin.Contract;

/// <summary>The body of <c>PUT {prefix}/api/clusters/{cluster}/mode</c>: <c>{"mode": "RoundRobin"}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class SetModeRequest
{
    /// <summary>Gets or sets the mode by name: <c>Failover</c>, <c>Random</c>, <c>RoundRobin</c> or <c>LeastLoaded</c>; required.</summary>
    public string? Mode { get; set; }
}
