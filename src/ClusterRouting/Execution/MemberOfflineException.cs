namespace ClusterRouting;

/// <summary>
/// Throw this from an operation run by <see cref="ClusterSelector.ExecuteAsync{TResult}(Func{MemberLease, CancellationToken, ValueTask{TResult}}, CancellationToken)"/>
/// to say that the member is offline (for example the connection was refused). The cluster penalizes the member and
/// runs the operation on the next candidate. For your own exception types, set <see cref="ClusterOptions.IsOfflineException"/>.
/// </summary>
public sealed class MemberOfflineException : ClusterRoutingException
{
    private const string DefaultMessage = "The member is offline.";

    /// <summary>Initializes a new instance of the <see cref="MemberOfflineException"/> class.</summary>
    public MemberOfflineException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MemberOfflineException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public MemberOfflineException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MemberOfflineException"/> class with a message and the exception that showed the member offline.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that showed the member offline.</param>
    public MemberOfflineException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
