using System.Diagnostics.CodeAnalysis;

namespace ClusterRouting.Http;

/// <summary>
/// How one attempt on a member ended: its response with what a 503 or 429 said (the limit it refused for, if any),
/// or the member's failure (its error, and whether the request may have reached the member). A response that neither
/// refused nor failed is the member's answer.
/// </summary>
internal readonly record struct AttemptResult(HttpResponseMessage? Response, RefusalInspection Inspection, Exception? Error, AttemptFailure Failure)
{
    /// <summary>Gets a value indicating whether the response is the member's answer: no refusal and no failure.</summary>
    [MemberNotNullWhen(true, nameof(Response))]
    public bool IsAnswer => Response is not null && Inspection.Limit is null && Error is null;
}
