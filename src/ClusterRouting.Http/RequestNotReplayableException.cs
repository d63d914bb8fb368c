namespace ClusterRouting.Http;

/// <summary>
/// The exception thrown when an attempt on a member failed (the member was offline or refused) and the request could
/// not be sent to another member without risk: its body cannot be sent again (a <see cref="StreamContent"/>, say, that
/// the first attempt consumed), or the member may have processed it and its method is not idempotent.
/// <see cref="Attempts"/> says what happened on each member tried; the last attempt's exception is the inner exception.
/// </summary>
public sealed class RequestNotReplayableException : ClusterRoutingException
{
    private const string DefaultMessage = "The request failed on a member and could not be sent to another one.";

    /// <summary>Initializes a new instance of the <see cref="RequestNotReplayableException"/> class.</summary>
    public RequestNotReplayableException()
        : base(DefaultMessage)
    {
        ClusterName = string.Empty;
        Reason = string.Empty;
        Attempts = Array.Empty<MemberAttempt>();
    }

    /// <summary>Initializes a new instance of the <see cref="RequestNotReplayableException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public RequestNotReplayableException(string message)
        : base(message)
    {
        ClusterName = string.Empty;
        Reason = string.Empty;
        Attempts = Array.Empty<MemberAttempt>();
    }

    /// <summary>Initializes a new instance of the <see cref="RequestNotReplayableException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public RequestNotReplayableException(string message, Exception? innerException)
        : base(message, innerException)
    {
        ClusterName = string.Empty;
        Reason = string.Empty;
        Attempts = Array.Empty<MemberAttempt>();
    }

    /// <summary>Initializes a new instance of the <see cref="RequestNotReplayableException"/> class for a request.</summary>
    /// <param name="clusterName">The cluster.</param>
    /// <param name="reason">Why the request was not sent again, as a sentence fragment: "its body (StreamContent) cannot be sent again".</param>
    /// <param name="attempts">Every attempt, in order; at least one.</param>
    public RequestNotReplayableException(string clusterName, string reason, IReadOnlyList<MemberAttempt> attempts)
        : base(Describe(clusterName, reason, attempts), attempts is { Count: > 0 } ? attempts[attempts.Count - 1].Exception : null)
    {
        ClusterName = clusterName;
        Reason = reason;
        Attempts = attempts;
    }

    /// <summary>Gets the cluster's name.</summary>
    public string ClusterName { get; }

    /// <summary>Gets why the request was not sent to another member.</summary>
    public string Reason { get; }

    /// <summary>Gets every attempt: the member, whether it was offline or refused, and the exception.</summary>
    public IReadOnlyList<MemberAttempt> Attempts { get; }

    private static string Describe(string clusterName, string reason, IReadOnlyList<MemberAttempt> attempts)
    {
        ArgumentNullException.ThrowIfNull(clusterName);
        ArgumentNullException.ThrowIfNull(reason);
        ArgumentNullException.ThrowIfNull(attempts);
        return $"The request to cluster '{clusterName}' failed ({string.Join("; ", attempts)}) and was not sent to another member: {reason}.";
    }
}
