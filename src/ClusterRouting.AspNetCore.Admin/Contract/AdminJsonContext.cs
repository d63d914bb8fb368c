using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClusterRouting.Admin.Contract;

/// <summary>
/// The admin API's JSON, by source generation (no reflection: trim- and AOT-safe). Shared by the API and the
/// command-line tool, which link this folder, so that both sides read and write one contract.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ClusterList))]
[JsonSerializable(typeof(ClusterDetail))]
[JsonSerializable(typeof(MemberDetail))]
[JsonSerializable(typeof(Overview))]
[JsonSerializable(typeof(SessionInfo))]
[JsonSerializable(typeof(SetEnabledRequest))]
[JsonSerializable(typeof(SetModeRequest))]
[JsonSerializable(typeof(Problem))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
