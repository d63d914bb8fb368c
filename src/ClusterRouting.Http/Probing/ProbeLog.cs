using Microsoft.Extensions.Logging;

namespace ClusterRouting.Http;

/// <summary>The prober's log events (ids from 110, beside the handler's).</summary>
internal static partial class ProbeLog
{
    [LoggerMessage(EventId = 110, EventName = "ProbeFailed", Level = LogLevel.Debug,
        Message = "The health probe of member {MemberId} of cluster {ClusterName} failed ({ConsecutiveFailures} in a row): {Failure}.")]
    public static partial void ProbeFailed(ILogger logger, Exception? exception, string clusterName, string memberId, int consecutiveFailures, string failure);

    [LoggerMessage(EventId = 111, EventName = "MemberDown", Level = LogLevel.Warning,
        Message = "Member {MemberId} of cluster {ClusterName} failed {ConsecutiveFailures} health probes in a row ({Failure}): it is reported offline until it answers again.")]
    public static partial void MemberDown(ILogger logger, string clusterName, string memberId, int consecutiveFailures, string failure);

    [LoggerMessage(EventId = 112, EventName = "MemberAnswersAgain", Level = LogLevel.Information,
        Message = "Member {MemberId} of cluster {ClusterName} answers its health probe again after {ConsecutiveFailures} failures: it is restored.")]
    public static partial void MemberAnswersAgain(ILogger logger, string clusterName, string memberId, int consecutiveFailures);

    [LoggerMessage(EventId = 113, EventName = "ClusterNotProbed", Level = LogLevel.Warning,
        Message = "Cluster {ClusterName} is not probed: {Reason}")]
    public static partial void ClusterNotProbed(ILogger logger, string clusterName, string reason);

    [LoggerMessage(EventId = 114, EventName = "ProbeReportFailed", Level = LogLevel.Warning,
        Message = "Reporting the health probe of member {MemberId} of cluster {ClusterName} failed; probing goes on.")]
    public static partial void ReportFailed(ILogger logger, Exception exception, string clusterName, string memberId);
}
