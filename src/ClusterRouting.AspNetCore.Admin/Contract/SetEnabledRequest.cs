using System.Text.Json.Serialization;

namespace ClusterRouting.Admin.Contract;

/// <summary>The body of <c>PUT {prefix}/api/clusters/{cluster}/members/{member}/enabled</c>: <c>{"enabled": false}</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
internal sealed class SetEnabledRequest
{
    /// <summary>Gets or sets whether the member may be selected; required, <see langword="true"/> or <see langword="false"/>.</summary>
    public bool? Enabled { get; set; }
}
