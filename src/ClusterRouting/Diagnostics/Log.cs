using Microsoft.Extensions.Logging;

namespace ClusterRouting;

/// <summary>The library's log events. Event ids and names are stable: tools may filter on them.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, EventName = "MemberLimitExceeded", Level = LogLevel.Warning,
        Message = "Cluster {ClusterName} has {MemberCount} members, more than the limit of {MaxMembers}: it keeps operating but refuses new members until one is removed.")]
    public static partial void MemberLimitExceeded(ILogger logger, string clusterName, int memberCount, int maxMembers);

    [LoggerMessage(EventId = 2, EventName = "VersionSkew", Level = LogLevel.Warning,
        Message = "Members of cluster {ClusterName} run different versions ({Versions}): different versions can cause unexpected failures based on supported functionality.")]
    public static partial void VersionSkew(ILogger logger, string clusterName, string versions);

    [LoggerMessage(EventId = 3, EventName = "MemberAdded", Level = LogLevel.Information,
        Message = "Member {MemberId} was added to cluster {ClusterName} at position {MemberIndex}.")]
    public static partial void MemberAdded(ILogger logger, string clusterName, string memberId, int memberIndex);

    [LoggerMessage(EventId = 4, EventName = "MemberRemoved", Level = LogLevel.Information,
        Message = "Member {MemberId} was removed from cluster {ClusterName}.")]
    public static partial void MemberRemoved(ILogger logger, string clusterName, string memberId);

    [LoggerMessage(EventId = 5, EventName = "MemberEnabledChanged", Level = LogLevel.Information,
        Message = "Member {MemberId} of cluster {ClusterName} was {Change}.")]
    public static partial void MemberEnabledChanged(ILogger logger, string clusterName, string memberId, string change);

    [LoggerMessage(EventId = 6, EventName = "ModeChanged", Level = LogLevel.Information,
        Message = "Cluster {ClusterName} now selects members in {Mode} mode.")]
    public static partial void ModeChanged(ILogger logger, string clusterName, SelectionMode mode);

    [LoggerMessage(EventId = 7, EventName = "ThrottlePolicyFailed", Level = LogLevel.Error,
        Message = "Throttle policy {PolicyName} threw while evaluating member {MemberId} of cluster {ClusterName}; the member is treated as {FailureMode}.")]
    public static partial void ThrottlePolicyFailed(ILogger logger, Exception exception, string clusterName, string memberId, string policyName, ThrottlePolicyFailureMode failureMode);

    [LoggerMessage(EventId = 8, EventName = "MemberThrottled", Level = LogLevel.Information,
        Message = "Member {MemberId} of cluster {ClusterName} is throttled: {Reason}.")]
    public static partial void MemberThrottled(ILogger logger, string clusterName, string memberId, MemberRejectionReason reason);

    [LoggerMessage(EventId = 9, EventName = "MemberUnthrottled", Level = LogLevel.Information,
        Message = "Member {MemberId} of cluster {ClusterName} is no longer throttled.")]
    public static partial void MemberUnthrottled(ILogger logger, string clusterName, string memberId);

    [LoggerMessage(EventId = 10, EventName = "MemberRefused", Level = LogLevel.Information,
        Message = "Member {MemberId} of cluster {ClusterName} refused an operation for its {Limit} limit; selections route around it for {CoolDown}.")]
    public static partial void MemberRefused(ILogger logger, string clusterName, string memberId, ThrottleLimitKind limit, TimeSpan coolDown);

    [LoggerMessage(EventId = 11, EventName = "PenaltyStarted", Level = LogLevel.Warning,
        Message = "Member {MemberId} of cluster {ClusterName} is offline ({ConsecutiveFailures} in a row): it is tried last for {Penalty}.")]
    public static partial void PenaltyStarted(ILogger logger, string clusterName, string memberId, int consecutiveFailures, TimeSpan penalty);

    [LoggerMessage(EventId = 12, EventName = "ProbeOpened", Level = LogLevel.Information,
        Message = "The penalty of member {MemberId} of cluster {ClusterName} ended: the next operation probes it.")]
    public static partial void ProbeOpened(ILogger logger, string clusterName, string memberId);

    [LoggerMessage(EventId = 13, EventName = "PenaltyEnded", Level = LogLevel.Information,
        Message = "Member {MemberId} of cluster {ClusterName} is online again.")]
    public static partial void PenaltyEnded(ILogger logger, string clusterName, string memberId);

    [LoggerMessage(EventId = 14, EventName = "FailedOver", Level = LogLevel.Debug,
        Message = "Cluster {ClusterName} routed an operation to member {MemberId} at position {MemberIndex}: the members before it could not take it.")]
    public static partial void FailedOver(ILogger logger, string clusterName, string memberId, int memberIndex);

    [LoggerMessage(EventId = 15, EventName = "AllMembersThrottled", Level = LogLevel.Warning,
        Message = "Every enabled member of cluster {ClusterName} ({MemberCount} members) is throttled: operations fail until a limit lifts.")]
    public static partial void AllMembersThrottled(ILogger logger, string clusterName, int memberCount);

    [LoggerMessage(EventId = 16, EventName = "ConfigurationRejected", Level = LogLevel.Error,
        Message = "A new configuration of cluster {ClusterName} was rejected and the last good one keeps serving: {Errors}")]
    public static partial void ConfigurationRejected(ILogger logger, string clusterName, string errors);

    [LoggerMessage(EventId = 17, EventName = "CallbackFailed", Level = LogLevel.Error,
        Message = "A {Callback} of cluster {ClusterName} threw; the cluster carried on without it.")]
    public static partial void CallbackFailed(ILogger logger, Exception exception, string clusterName, string callback);

    [LoggerMessage(EventId = 18, EventName = "ClusterConfigurationIgnored", Level = LogLevel.Warning,
        Message = "The configuration names cluster {ClusterName}, which is not registered (it appeared after start, or was removed): it is ignored until the application restarts.")]
    public static partial void ClusterConfigurationIgnored(ILogger logger, string clusterName);

    [LoggerMessage(EventId = 19, EventName = "ClusterRemoved", Level = LogLevel.Information,
        Message = "Cluster {ClusterName} was removed: it is disposed, and configuration does not bring it back until the application restarts.")]
    public static partial void ClusterRemoved(ILogger logger, string clusterName);
}
