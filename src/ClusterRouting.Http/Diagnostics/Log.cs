using System.Net;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Http;

/// <summary>
/// The HTTP handler's log events. Event ids and names are stable (tools may filter on them) and start at 100, apart
/// from the core engine's.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, EventName = "RequestRouted", Level = LogLevel.Debug,
        Message = "Sending {Method} request {Attempt} for cluster {ClusterName} to member {MemberId} at {Target} (probe: {IsProbe}).")]
    public static partial void RequestRouted(ILogger logger, HttpMethod method, int attempt, string clusterName, string memberId, Uri target, bool isProbe);

    [LoggerMessage(EventId = 101, EventName = "MemberUnreachable", Level = LogLevel.Warning,
        Message = "Member {MemberId} of cluster {ClusterName} failed the request ({Failure}): it is reported offline.")]
    public static partial void MemberUnreachable(ILogger logger, Exception exception, string clusterName, string memberId, string failure);

    [LoggerMessage(EventId = 102, EventName = "MemberRefusedRequest", Level = LogLevel.Information,
        Message = "Member {MemberId} of cluster {ClusterName} refused the request with status {StatusCode} for its {Limit} limit; it is routed around for {CoolDown} (empty: the cluster's cool-down).")]
    public static partial void MemberRefusedRequest(ILogger logger, string clusterName, string memberId, HttpStatusCode statusCode, ThrottleLimitKind limit, TimeSpan? coolDown);

    [LoggerMessage(EventId = 103, EventName = "RequestNotReplayed", Level = LogLevel.Warning,
        Message = "The request to cluster {ClusterName} failed on member {MemberId} and was not sent to another member: {Reason}.")]
    public static partial void RequestNotReplayed(ILogger logger, string clusterName, string memberId, string reason);

    [LoggerMessage(EventId = 104, EventName = "NoMemberAvailable", Level = LogLevel.Warning,
        Message = "No member of cluster {ClusterName} can take the request: {Reason}")]
    public static partial void NoMemberAvailable(ILogger logger, string clusterName, string reason);

    [LoggerMessage(EventId = 105, EventName = "AllMembersFailed", Level = LogLevel.Warning,
        Message = "Every member of cluster {ClusterName} that the request was tried on failed ({AttemptCount} attempts).")]
    public static partial void AllMembersFailed(ILogger logger, string clusterName, int attemptCount);

    [LoggerMessage(EventId = 106, EventName = "ResponseBodyFailed", Level = LogLevel.Warning,
        Message = "Reading the response body from member {MemberId} of cluster {ClusterName} failed: it is reported offline.")]
    public static partial void ResponseBodyFailed(ILogger logger, Exception exception, string clusterName, string memberId);

    [LoggerMessage(EventId = 107, EventName = "MemberAddressMissing", Level = LogLevel.Error,
        Message = "Member {MemberId} of cluster {ClusterName} has no address: the request was not sent.")]
    public static partial void MemberAddressMissing(ILogger logger, string clusterName, string memberId);
}
