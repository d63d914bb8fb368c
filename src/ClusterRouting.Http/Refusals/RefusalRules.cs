using System.Net;

namespace ClusterRouting.Http;

/// <summary>What makes a member's answer a refusal, and for which limit.</summary>
internal static class RefusalRules
{
    /// <summary>Whether a response with this status may be a refusal: 503 Service Unavailable or 429 Too Many Requests.</summary>
    public static bool MayBeRefusal(HttpStatusCode status) => status is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests;

    /// <summary>
    /// The limit a 503 or 429 refused for: the <c>ClusterRouting-Limit</c> header when it names one, else the limit of
    /// the gateway's sentence in the body, else concurrency when only a <c>Retry-After</c> came; <see langword="null"/>
    /// when the response carries none of them and so is not a refusal but the member's answer.
    /// </summary>
    public static ThrottleLimitKind? LimitOf(ThrottleLimitKind? headerLimit, ThrottleLimitKind? sentenceLimit, bool hasRetryAfter) =>
        headerLimit ?? sentenceLimit ?? (hasRetryAfter ? ThrottleLimitKind.Concurrency : null);
}
