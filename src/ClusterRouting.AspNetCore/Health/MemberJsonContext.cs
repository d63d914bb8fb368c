using System.Text.Json.Serialization;

namespace ClusterRouting.AspNetCore;

/// <summary>Source-generated serialization of the health answer: no reflection, trim and AOT safe.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(MemberHealthReport))]
internal sealed partial class MemberJsonContext : JsonSerializerContext
{
}
