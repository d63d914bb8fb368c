using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ClusterRouting.AspNetCore;

/// <summary>
/// Admits a request when the member is under every limit and counts it in flight until the rest of the pipeline has
/// finished with it (normally, by an exception, or aborted); otherwise answers 503 with Retry-After, the
/// ClusterRouting-Limit header and the gateway's sentence. Endpoints with <see cref="DisableMemberLimitsMetadata"/>
/// (the health endpoint) are neither limited nor counted; before routing has run, the health endpoint is recognized by
/// its path.
/// </summary>
internal sealed class MemberLimitsMiddleware
{
    private readonly RequestDelegate _next;
    private readonly MemberLimiter _limiter;
    private readonly RefusalResponses _refusals;

    public MemberLimitsMiddleware(RequestDelegate next, MemberLimiter limiter, RefusalResponses refusals)
    {
        _next = next;
        _limiter = limiter;
        _refusals = refusals;
    }

    public Task InvokeAsync(HttpContext context)
    {
        Endpoint? endpoint = context.GetEndpoint();
        if (endpoint is null ? _limiter.IsHealthPath(context.Request.Path) : endpoint.Metadata.GetMetadata<DisableMemberLimitsMetadata>() is not null)
        {
            return _next(context);
        }

        MemberLimit limit = _limiter.TryAdmit(out LoadVerdict verdict);
        return limit == MemberLimit.None ? InvokeAdmittedAsync(context) : RefuseAsync(context, limit, verdict);
    }

    private async Task InvokeAdmittedAsync(HttpContext context)
    {
        try
        {
            // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
            await _next(context).ConfigureAwait(false);
        }
        finally
        {
            _limiter.Release();
        }
    }

    private Task RefuseAsync(HttpContext context, MemberLimit limit, LoadVerdict verdict)
    {
        _limiter.OnRefused(limit);
        byte[] body = _refusals.BodyFor(limit);
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        response.ContentType = RefusalResponses.ContentType;
        response.ContentLength = body.Length;
        IHeaderDictionary headers = response.Headers;
        // Stryker disable once Conditional : the verdict's text is "1" too then: a concurrency refusal comes only under a verdict with no CPU or memory limit, whose retry is zero, rounded up to 1 s
        headers[HeaderNames.RetryAfter] = limit == MemberLimit.Concurrency ? RetryAfter.ConcurrencyText : verdict.RetryAfterText;
        headers[MemberLimitNames.LimitHeader] = MemberLimitNames.NameOf(limit);
        headers[HeaderNames.CacheControl] = "no-store";
        return response.Body.WriteAsync(body.AsMemory()).AsTask();
    }
}
