namespace ClusterRouting;

/// <summary>
/// The exception thrown when every enabled member of a cluster is at or over a throttling limit. Its message is the
/// gateway's documented sentence for the limit of the first throttled member in failover order: "the gateway you
/// selected" is the one the cluster would have used first (in failover mode, the primary when it is enabled).
/// <see cref="NoMemberAvailableException.Rejections"/> says which limit stopped each member.
/// </summary>
public sealed class ClusterThrottledException : NoMemberAvailableException
{
    /// <summary>Initializes a new instance of the <see cref="ClusterThrottledException"/> class.</summary>
    public ClusterThrottledException()
        : base(ThrottleLimits.MessageFor(ThrottleLimitKind.Concurrency, policyName: null))
    {
        Limit = ThrottleLimitKind.Concurrency;
        MemberId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="ClusterThrottledException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public ClusterThrottledException(string message)
        : base(message)
    {
        MemberId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="ClusterThrottledException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ClusterThrottledException(string message, Exception? innerException)
        : base(message, innerException)
    {
        MemberId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="ClusterThrottledException"/> class for a cluster whose members are all throttled.</summary>
    /// <param name="clusterName">The cluster.</param>
    /// <param name="limit">The limit of the first throttled member in failover order.</param>
    /// <param name="memberId">That member's id.</param>
    /// <param name="policyName">The name of the custom policy, when <paramref name="limit"/> is <see cref="ThrottleLimitKind.Custom"/>.</param>
    /// <param name="retryAfter">The earliest time any member may be admitted again, when known.</param>
    /// <param name="rejections">Every member and why it was not used.</param>
    public ClusterThrottledException(string clusterName, ThrottleLimitKind limit, string memberId, string? policyName, TimeSpan? retryAfter, IReadOnlyList<MemberRejection> rejections)
        : base(MessageFor(limit, policyName), clusterName, rejections)
    {
        Limit = limit;
        MemberId = memberId;
        PolicyName = policyName;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets the limit of the first throttled member in failover order, the one the message names.</summary>
    public ThrottleLimitKind Limit { get; }

    /// <summary>Gets the id of the first throttled member in failover order.</summary>
    public string MemberId { get; }

    /// <summary>Gets the name of the custom policy when <see cref="Limit"/> is <see cref="ThrottleLimitKind.Custom"/>.</summary>
    public string? PolicyName { get; }

    /// <summary>Gets the earliest time after which a member may be admitted again, when known; retry after it.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>Returns the gateway's sentence for a limit. Custom policies use the same sentence with the policy's name.</summary>
    /// <param name="limit">The limit.</param>
    /// <param name="policyName">The custom policy's name, for <see cref="ThrottleLimitKind.Custom"/>.</param>
    /// <returns>The message.</returns>
    public static string MessageFor(ThrottleLimitKind limit, string? policyName = null) => ThrottleLimits.MessageFor(limit, policyName);
}
