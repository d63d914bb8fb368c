using System.Text;

namespace ClusterRouting;

/// <summary>The exception thrown when no member of a cluster can take an operation. It lists every member and why it was not used.</summary>
public class NoMemberAvailableException : ClusterRoutingException
{
    private const string DefaultMessage = "No member of the cluster can take the operation.";

    /// <summary>Initializes a new instance of the <see cref="NoMemberAvailableException"/> class.</summary>
    public NoMemberAvailableException()
        : base(DefaultMessage)
    {
        ClusterName = string.Empty;
        Rejections = Array.Empty<MemberRejection>();
    }

    /// <summary>Initializes a new instance of the <see cref="NoMemberAvailableException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public NoMemberAvailableException(string message)
        : base(message)
    {
        ClusterName = string.Empty;
        Rejections = Array.Empty<MemberRejection>();
    }

    /// <summary>Initializes a new instance of the <see cref="NoMemberAvailableException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public NoMemberAvailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
        ClusterName = string.Empty;
        Rejections = Array.Empty<MemberRejection>();
    }

    /// <summary>Initializes a new instance of the <see cref="NoMemberAvailableException"/> class for a cluster.</summary>
    /// <param name="clusterName">The cluster that had no member available.</param>
    /// <param name="rejections">Every member of the cluster and why it was not used.</param>
    public NoMemberAvailableException(string clusterName, IReadOnlyList<MemberRejection> rejections)
        : this(Describe(clusterName, rejections), clusterName, rejections)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NoMemberAvailableException"/> class with a message, for a cluster.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="clusterName">The cluster that had no member available.</param>
    /// <param name="rejections">Every member of the cluster and why it was not used.</param>
    protected NoMemberAvailableException(string message, string clusterName, IReadOnlyList<MemberRejection> rejections)
        : base(message)
    {
        Guard.NotNull(clusterName);
        Guard.NotNull(rejections);
        ClusterName = clusterName;
        Rejections = rejections;
    }

    /// <summary>Gets the name of the cluster.</summary>
    public string ClusterName { get; }

    /// <summary>Gets every member of the cluster, in failover order, and why it was not used.</summary>
    public IReadOnlyList<MemberRejection> Rejections { get; }

    internal static string Describe(string clusterName, IReadOnlyList<MemberRejection> rejections)
    {
        Guard.NotNull(clusterName);
        Guard.NotNull(rejections);
        if (rejections.Count == 0)
        {
            return $"No member of cluster '{clusterName}' can take the operation: the cluster has no members.";
        }

        var text = new StringBuilder();
        text.Append("No member of cluster '").Append(clusterName).Append("' can take the operation: ");
        for (int i = 0; i < rejections.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            text.Append(rejections[i].MemberId).Append(" (").Append(ThrottleLimits.Describe(rejections[i].Reason)).Append(')');
        }

        return text.Append('.').ToString();
    }
}
