using System.Text.Encodings.Web;
using System.Text.Json;

namespace ClusterRouting.AspNetCore;

/// <summary>
/// The refusal bodies, one per limit, serialized once: an RFC 9457 problem (application/problem+json) whose "detail"
/// is the gateway's documented sentence word for word, with the limit and the member's id as extensions.
/// </summary>
internal sealed class RefusalResponses
{
    public const string ContentType = "application/problem+json";

    private readonly byte[][] _bodies = new byte[4][];

    public RefusalResponses(string memberId)
    {
        foreach (MemberLimit limit in (ReadOnlySpan<MemberLimit>)[MemberLimit.Cpu, MemberLimit.Memory, MemberLimit.Concurrency])
        {
            _bodies[(int)limit] = Serialize(limit, memberId);
        }
    }

    public byte[] BodyFor(MemberLimit limit) => _bodies[(int)limit];

    private static byte[] Serialize(MemberLimit limit, string memberId)
    {
        using var buffer = new MemoryStream();

        // The relaxed encoder leaves the sentence's apostrophes as they are ("can't", "it's"): the default one writes
        // \u0027, and a router that looks for the sentence in the body text would not find it. The body is served as
        // application/problem+json, never embedded in HTML, which is what the stricter escaping protects.
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "https://tools.ietf.org/html/rfc9110#section-15.6.4");
            writer.WriteString("title", "Service Unavailable");
            writer.WriteNumber("status", 503);
            writer.WriteString("detail", ClusterThrottledException.MessageFor(MemberLimitNames.KindOf(limit)));
            writer.WriteString("limit", MemberLimitNames.NameOf(limit));
            writer.WriteString("memberId", memberId);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
