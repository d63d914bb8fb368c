using System.Net.Http.Json;

namespace ClusterRouting.Http;

/// <summary>Whether a request may be sent to another member after an attempt failed.</summary>
internal static class ReplayRules
{
    /// <summary>Whether <paramref name="method"/> is idempotent (RFC 9110, 9.2.2): sending it twice has the effect of sending it once.</summary>
    public static bool IsIdempotent(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options ||
        method == HttpMethod.Trace || method == HttpMethod.Put || method == HttpMethod.Delete;

    /// <summary>
    /// Whether a body can be sent again as it is: no body, or a content that serializes the same bytes each time
    /// (<see cref="ByteArrayContent"/> and so <see cref="StringContent"/> and <see cref="FormUrlEncodedContent"/>,
    /// <see cref="ReadOnlyMemoryContent"/>, and <see cref="JsonContent"/>, which serializes its value anew).
    /// A <see cref="StreamContent"/> or any other content may have been consumed by the first attempt.
    /// </summary>
    public static bool CanSendAgain(HttpContent? content) =>
        content is null or ByteArrayContent or ReadOnlyMemoryContent or JsonContent;

    /// <summary>
    /// Whether a request whose attempt failed may go to another member. The body must be sendable again (or re-created
    /// by a factory); then the request goes on when the member provably did not process it (it refused, or the
    /// connection was never established), or when running it twice is harmless (an idempotent method), or when the
    /// caller said it can be re-created (a content factory).
    /// </summary>
    public static ReplayVerdict Decide(HttpMethod method, HttpContent? content, bool hasContentFactory, bool memberDidNotProcess)
    {
        if (!hasContentFactory && !CanSendAgain(content))
        {
            return ReplayVerdict.BodyNotReplayable;
        }

        if (memberDidNotProcess || hasContentFactory || IsIdempotent(method))
        {
            return ReplayVerdict.Replay;
        }

        return ReplayVerdict.MayHaveBeenProcessed;
    }
}
