using System.Globalization;

namespace ClusterRouting;

/// <summary>
/// The exception thrown by <see cref="ClusterSelector.SelectPrimary"/> when the primary cannot take an operation that
/// only the primary may run (for example creating or editing connections with Dataflow Gen2, which needs the primary
/// member up). <see cref="NoMemberAvailableException.Rejections"/> lists every member; the first is the primary.
/// </summary>
public sealed class PrimaryUnavailableException : NoMemberAvailableException
{
    private const string DefaultMessage = "The primary member of the cluster can't take the operation.";

    /// <summary>Initializes a new instance of the <see cref="PrimaryUnavailableException"/> class.</summary>
    public PrimaryUnavailableException()
        : base(DefaultMessage)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PrimaryUnavailableException"/> class with a message.</summary>
    /// <param name="message">The message that describes the error.</param>
    public PrimaryUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PrimaryUnavailableException"/> class with a message and an inner exception.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public PrimaryUnavailableException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="PrimaryUnavailableException"/> class for a cluster.</summary>
    /// <param name="clusterName">The cluster.</param>
    /// <param name="rejections">Every member and why it was not used; the first is the primary.</param>
    public PrimaryUnavailableException(string clusterName, IReadOnlyList<MemberRejection> rejections)
        : base(Describe(clusterName, rejections), clusterName, rejections)
    {
        Primary = rejections is { Count: > 0 } ? rejections[0] : null;
    }

    /// <summary>Gets the primary and why it could not take the operation; <see langword="null"/> when the cluster has no members.</summary>
    public MemberRejection? Primary { get; }

    private static new string Describe(string clusterName, IReadOnlyList<MemberRejection> rejections)
    {
        Guard.NotNull(rejections);
        if (rejections.Count == 0)
        {
            return $"The operation needs the primary member of cluster '{clusterName}', and the cluster has no members.";
        }

        MemberRejection primary = rejections[0];
        string retry = primary.RetryAfter is TimeSpan after ? "; retry after " + after.ToString("g", CultureInfo.InvariantCulture) : string.Empty;
        return primary.Reason == MemberRejectionReason.Offline
            ? $"The operation needs the primary member of cluster '{clusterName}', and {primary.MemberId} is offline (it failed its last attempts, and the one operation it takes meanwhile is out){retry}."
            : $"The operation needs the primary member of cluster '{clusterName}', and {primary.MemberId} can't take it ({primary.Reason}){retry}.";
    }
}
