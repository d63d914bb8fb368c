using Microsoft.Extensions.Logging;

namespace ClusterRouting.AspNetCore;

/// <summary>The member's log events: ids from 200, clear of the core's 1 to 99.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 200, EventName = "RefusalsStarted", Level = LogLevel.Warning,
        Message = "Member '{MemberId}' is refusing requests: it is at or over its {Limit} limit.")]
    public static partial void RefusalsStarted(ILogger logger, string memberId, string limit);

    [LoggerMessage(EventId = 201, EventName = "RefusalsStopped", Level = LogLevel.Information,
        Message = "Member '{MemberId}' stopped refusing requests for its {Limit} limit, after {RefusedCount} refusals.")]
    public static partial void RefusalsStopped(ILogger logger, string memberId, string limit, long refusedCount);

    [LoggerMessage(EventId = 202, EventName = "UtilizationLimitReached", Level = LogLevel.Information,
        Message = "Member '{MemberId}' is at or over its {Limit} limit: average {AveragePercent:0.#} % over the window, threshold {ThresholdPercent} %.")]
    public static partial void UtilizationLimitReached(ILogger logger, string memberId, string limit, double averagePercent, double thresholdPercent);

    [LoggerMessage(EventId = 203, EventName = "UtilizationLimitCleared", Level = LogLevel.Information,
        Message = "Member '{MemberId}' is under its CPU and memory limits again.")]
    public static partial void UtilizationLimitCleared(ILogger logger, string memberId);

    [LoggerMessage(EventId = 204, EventName = "MeasurementFailed", Level = LogLevel.Error,
        Message = "Member '{MemberId}' could not measure its utilization; the sample is skipped.")]
    public static partial void MeasurementFailed(ILogger logger, string memberId, Exception exception);
}
