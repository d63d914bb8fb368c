using Microsoft.Extensions.Logging;

namespace ClusterRouting.Admin;

/// <summary>The console's log events: every change with the operator who made it, and every change refused for its antiforgery token.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Operator {User} {Action} member {MemberId} of cluster {ClusterName} through the console", EventName = "ConsoleMemberEnabledChanged")]
    public static partial void MemberEnabledChanged(ILogger logger, string user, string action, string memberId, string clusterName);

    [LoggerMessage(2, LogLevel.Information, "Operator {User} set the mode of cluster {ClusterName} to {Mode} through the console", EventName = "ConsoleModeChanged")]
    public static partial void ModeChanged(ILogger logger, string user, string clusterName, SelectionMode mode);

    [LoggerMessage(3, LogLevel.Information, "Operator {User} removed member {MemberId} from cluster {ClusterName} through the console", EventName = "ConsoleMemberRemoved")]
    public static partial void MemberRemoved(ILogger logger, string user, string memberId, string clusterName);

    [LoggerMessage(4, LogLevel.Information, "Operator {User} removed cluster {ClusterName} through the console", EventName = "ConsoleClusterRemoved")]
    public static partial void ClusterRemoved(ILogger logger, string user, string clusterName);

    [LoggerMessage(5, LogLevel.Warning, "A change ({Method} {Path}) by {User} was refused: it was sent with cookies and without a valid antiforgery token", EventName = "ConsoleAntiforgeryRejected")]
    public static partial void AntiforgeryRejected(ILogger logger, string method, string path, string user);
}
