using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ClusterRouting.AspNetCore;

/// <summary>Writes the member's health: identity, averages, requests in flight, limits, and the limit it is over now.</summary>
internal static class MemberHealthEndpoint
{
    public static MemberHealthReport Report(MemberLimiter limiter)
    {
        MemberLimitsOptions options = limiter.Options;
        LoadVerdict verdict = limiter.Verdict;
        return new MemberHealthReport
        {
            Id = limiter.MemberId,
            Version = options.Version,
            CpuPercent = verdict.CpuPercent,
            MemoryPercent = verdict.MemoryPercent,
            InFlight = limiter.InFlight,
            OverLimit = MemberLimitNames.NameOf(limiter.CurrentLimit()),
            Limits = new MemberHealthLimits
            {
                CPUUtilizationPercentageThreshold = options.CPUUtilizationPercentageThreshold,
                MemoryUtilizationPercentageThreshold = options.MemoryUtilizationPercentageThreshold,
                ResourceUtilizationAggregationTimeInMinutes = options.ResourceUtilizationAggregationTimeInMinutes,
                ConcurrentOperationLimitPreview = limiter.ConcurrencyLimit,
                BypassConcurrentOperationLimit = limiter.IsConcurrencyBypassed,
            },
        };
    }

    public static Task WriteAsync(HttpContext context, MemberLimiter limiter)
    {
        HttpResponse response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers[HeaderNames.CacheControl] = "no-store";
        return JsonSerializer.SerializeAsync(response.Body, Report(limiter), MemberJsonContext.Default.MemberHealthReport, context.RequestAborted);
    }
}
