using Microsoft.Extensions.Logging;

namespace ClusterRouting;

// The events a change to a cluster queues under its lock and that ClusterEventLog writes after the lock is released.
// One small record per log event, kept together in this file as Log.cs keeps the messages together.
#pragma warning disable SA1402, SA1649 // A family of one-line records.

/// <summary>Something that happened to a cluster, written to the log after the change that caused it released its lock.</summary>
internal abstract record ClusterEvent
{
    public abstract void Write(ILogger logger, string clusterName);
}

internal sealed record MemberLimitExceededEvent(int MemberCount) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.MemberLimitExceeded(logger, clusterName, MemberCount, ClusterLimits.MaxMembers);
}

internal sealed record VersionSkewEvent(string Versions) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.VersionSkew(logger, clusterName, Versions);
}

internal sealed record MemberAddedEvent(string MemberId, int MemberIndex) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.MemberAdded(logger, clusterName, MemberId, MemberIndex);
}

internal sealed record MemberRemovedEvent(string MemberId) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.MemberRemoved(logger, clusterName, MemberId);
}

internal sealed record MemberEnabledChangedEvent(string MemberId, bool Enabled) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.MemberEnabledChanged(logger, clusterName, MemberId, Enabled ? "enabled" : "disabled");
}

internal sealed record ModeChangedEvent(SelectionMode Mode) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.ModeChanged(logger, clusterName, Mode);
}

internal sealed record ThrottlePolicyFailedEvent(Exception Exception, string MemberId, string PolicyName, ThrottlePolicyFailureMode FailureMode) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.ThrottlePolicyFailed(logger, Exception, clusterName, MemberId, PolicyName, FailureMode);
}

internal sealed record MemberThrottledEvent(string MemberId, MemberRejectionReason Reason) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.MemberThrottled(logger, clusterName, MemberId, Reason);
}

internal sealed record MemberUnthrottledEvent(string MemberId) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.MemberUnthrottled(logger, clusterName, MemberId);
}

internal sealed record MemberRefusedEvent(string MemberId, ThrottleLimitKind Limit, TimeSpan CoolDown) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.MemberRefused(logger, clusterName, MemberId, Limit, CoolDown);
}

internal sealed record PenaltyStartedEvent(string MemberId, int ConsecutiveOfflineResults, TimeSpan Penalty) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.PenaltyStarted(logger, clusterName, MemberId, ConsecutiveOfflineResults, Penalty);
}

internal sealed record ProbeOpenedEvent(string MemberId) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.ProbeOpened(logger, clusterName, MemberId);
}

internal sealed record PenaltyEndedEvent(string MemberId) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.PenaltyEnded(logger, clusterName, MemberId);
}

internal sealed record AllMembersThrottledEvent(int MemberCount) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.AllMembersThrottled(logger, clusterName, MemberCount);
}

internal sealed record CallbackFailedEvent(CallbackKind Callback, Exception Exception) : ClusterEvent
{
    public override void Write(ILogger logger, string clusterName) => Log.CallbackFailed(logger, Exception, clusterName, CallbackFailures.Describe(Callback));
}
