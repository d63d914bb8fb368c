namespace ClusterRouting;

/// <summary>
/// The exception thrown when a member is added to a cluster that already has
/// <see cref="ClusterLimits.MaxMembers"/> (10) or more members.
/// </summary>
public sealed class ClusterCapacityExceededException : ClusterRoutingException
{
    private const string DefaultMessage = "The cluster already has the maximum of 10 members; remove a member before adding another.";

    /// <summary>Initializes a new instance of the <see cref="ClusterCapacityExceededException"/> class.</summary>
    public ClusterCapacityExceededException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ClusterCapacityExceededException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public ClusterCapacityExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ClusterCapacityExceededException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ClusterCapacityExceededException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ClusterCapacityExceededException"/> class for a cluster.</summary>
    /// <param name="clusterName">The cluster that refused the addition.</param>
    /// <param name="memberCount">How many members the cluster has.</param>
    public ClusterCapacityExceededException(string clusterName, int memberCount)
        : base($"Cluster '{clusterName}' has {memberCount} members and the limit is {ClusterLimits.MaxMembers} (ClusterLimits.MaxMembers); remove a member before adding another.")
    {
        ClusterName = clusterName;
        MemberCount = memberCount;
    }

    /// <summary>Gets the name of the cluster that refused the addition; empty when the exception was created without one.</summary>
    public string ClusterName { get; } = string.Empty;

    /// <summary>Gets how many members the cluster had when it refused the addition.</summary>
    public int MemberCount { get; }
}
