namespace ClusterRouting.Http;

/// <summary>
/// The exception thrown when the cluster selects a member that has no address (<see cref="ClusterMemberOptions.Address"/>,
/// <c>"Address"</c> in configuration), so the HTTP handler has nowhere to send the request. A configuration error: the
/// request is not sent to another member, and the member is not reported.
/// </summary>
public sealed class MemberAddressMissingException : ClusterRoutingException
{
    private const string DefaultMessage = "The selected member has no address: set ClusterMemberOptions.Address (\"Address\" in configuration) for every member of a cluster that routes HTTP requests.";

    /// <summary>Initializes a new instance of the <see cref="MemberAddressMissingException"/> class.</summary>
    public MemberAddressMissingException()
        : base(DefaultMessage)
    {
        ClusterName = string.Empty;
        MemberId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="MemberAddressMissingException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public MemberAddressMissingException(string message)
        : base(message)
    {
        ClusterName = string.Empty;
        MemberId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="MemberAddressMissingException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public MemberAddressMissingException(string message, Exception? innerException)
        : base(message, innerException)
    {
        ClusterName = string.Empty;
        MemberId = string.Empty;
    }

    /// <summary>Initializes a new instance of the <see cref="MemberAddressMissingException"/> class for a member.</summary>
    /// <param name="clusterName">The cluster.</param>
    /// <param name="memberId">The member that has no address.</param>
    public MemberAddressMissingException(string clusterName, string memberId)
        : base($"Member '{memberId}' of cluster '{clusterName}' has no address, so the HTTP request has nowhere to go: set its Address (ClusterMemberOptions.Address, \"Address\" in configuration) to an absolute http or https URI.")
    {
        ArgumentNullException.ThrowIfNull(clusterName);
        ArgumentNullException.ThrowIfNull(memberId);
        ClusterName = clusterName;
        MemberId = memberId;
    }

    /// <summary>Gets the cluster's name.</summary>
    public string ClusterName { get; }

    /// <summary>Gets the id of the member that has no address.</summary>
    public string MemberId { get; }
}
