namespace ClusterRouting;

/// <summary>
/// The exception thrown when a run with failover tried every member it could and each one was offline or refused.
/// Members that were not tried were disabled or throttled (see <see cref="ClusterSelector.GetStatus"/>).
/// </summary>
public sealed class AllMembersFailedException : ClusterRoutingException
{
    private const string DefaultMessage = "Every member the operation was tried on was offline or refused it.";

    /// <summary>Initializes a new instance of the <see cref="AllMembersFailedException"/> class.</summary>
    public AllMembersFailedException()
        : base(DefaultMessage)
    {
        ClusterName = string.Empty;
        Attempts = Array.Empty<MemberAttempt>();
    }

    /// <summary>Initializes a new instance of the <see cref="AllMembersFailedException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public AllMembersFailedException(string message)
        : base(message)
    {
        ClusterName = string.Empty;
        Attempts = Array.Empty<MemberAttempt>();
    }

    /// <summary>Initializes a new instance of the <see cref="AllMembersFailedException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public AllMembersFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        ClusterName = string.Empty;
        Attempts = Array.Empty<MemberAttempt>();
    }

    /// <summary>Initializes a new instance of the <see cref="AllMembersFailedException"/> class for a run.</summary>
    /// <param name="clusterName">The cluster.</param>
    /// <param name="attempts">Every attempt, in the order they ran; the last one's exception is the inner exception.</param>
    public AllMembersFailedException(string clusterName, IReadOnlyList<MemberAttempt> attempts)
        : base(Describe(clusterName, attempts), attempts is { Count: > 0 } ? attempts[attempts.Count - 1].Exception : null)
    {
        ClusterName = clusterName;
        Attempts = attempts;
    }

    /// <summary>Gets the cluster's name.</summary>
    public string ClusterName { get; }

    /// <summary>Gets every attempt of the run: the member, why it failed and the exception.</summary>
    public IReadOnlyList<MemberAttempt> Attempts { get; }

    private static string Describe(string clusterName, IReadOnlyList<MemberAttempt> attempts)
    {
        Guard.NotNull(clusterName);
        Guard.NotNull(attempts);
        return $"Every member of cluster '{clusterName}' that the operation was tried on failed: {string.Join("; ", attempts)}.";
    }
}
