namespace ClusterRouting;

/// <summary>
/// The base class of every exception that ClusterRouting throws for an expected outcome
/// (no member can take the operation, a member limit, a cluster limit).
/// Misuse of the API throws the <see cref="ArgumentException"/> family instead.
/// </summary>
public abstract class ClusterRoutingException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ClusterRoutingException"/> class.</summary>
    protected ClusterRoutingException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ClusterRoutingException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    protected ClusterRoutingException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ClusterRoutingException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    protected ClusterRoutingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
