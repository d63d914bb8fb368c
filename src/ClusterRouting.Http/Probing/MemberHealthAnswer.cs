using System.Text.Json.Serialization;

namespace ClusterRouting.Http;

/// <summary>
/// What a member's health endpoint answers (as <c>ClusterRouting.AspNetCore</c> writes it): the fields the router
/// uses. Unknown fields are ignored, so a member may say more.
/// </summary>
internal sealed class MemberHealthAnswer
{
    public string? Id { get; set; }

    public string? Version { get; set; }

    public bool Online { get; set; } = true;

    public double? CpuPercent { get; set; }

    public double? MemoryPercent { get; set; }

    /// <summary><c>cpu</c>, <c>memory</c> or <c>concurrency</c> when the member is at or over that limit.</summary>
    public string? OverLimit { get; set; }
}

/// <summary>Source-generated (trim- and AOT-safe) reading of <see cref="MemberHealthAnswer"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(MemberHealthAnswer))]
internal sealed partial class MemberHealthJsonContext : JsonSerializerContext;
