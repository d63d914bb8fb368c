using System.Globalization;
using System.Text;

namespace ClusterRouting;

/// <summary>A cluster's members and settings at the moment <see cref="IClusterSelector.GetStatus"/> was called.</summary>
public sealed class ClusterStatus
{
    internal ClusterStatus(ClusterSnapshot snapshot, DateTimeOffset timestamp)
    {
        Timestamp = timestamp;
        ClusterName = snapshot.ClusterName;
        Mode = snapshot.Mode;
        var members = new MemberStatus[snapshot.Members.Length];
        for (int i = 0; i < members.Length; i++)
        {
            members[i] = new MemberStatus(snapshot.Members[i], snapshot.Clock);
        }

        Members = members;
        Versions = snapshot.Versions;
    }

    /// <summary>Gets when the status was taken, by the cluster's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets the cluster's name.</summary>
    public string ClusterName { get; }

    /// <summary>Gets how the cluster chooses among its eligible members.</summary>
    public SelectionMode Mode { get; }

    /// <summary>Gets the members in failover order; the first is the primary.</summary>
    public IReadOnlyList<MemberStatus> Members { get; }

    /// <summary>Gets the distinct versions that the members report (members with no version are left out).</summary>
    public IReadOnlyList<string> Versions { get; }

    /// <summary>
    /// Gets a value indicating whether members run different versions, which the gateway documentation warns
    /// "could cause unexpected failures based on supported functionality".
    /// </summary>
    public bool HasVersionSkew => Versions.Count > 1;

    /// <summary>
    /// Gets a value indicating whether the cluster has more than <see cref="ClusterLimits.MaxMembers"/> members:
    /// it keeps operating but refuses additions until a member is removed.
    /// </summary>
    public bool ExceedsMemberLimit => Members.Count > ClusterLimits.MaxMembers;

    /// <summary>
    /// Describes the cluster, one line for the cluster and one per member in failover order, for logs and consoles:
    /// <code>
    /// Cluster 'sales' (Failover, 2 members, at 2026-12-01T10:04:00Z)
    ///   gw-0 (primary, online, 3/40 in flight, CPU 45.0%, memory 61.2%)
    ///   gw-1 (#1, online, 0/40 in flight)
    /// </code>
    /// </summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var text = new StringBuilder().Append(FormattableString.Invariant($"Cluster '{ClusterName}' ({Mode}, {Members.Count} member{(Members.Count == 1 ? string.Empty : "s")}"));
        if (HasVersionSkew)
        {
            text.Append(", versions ").Append(string.Join(", ", Versions));
        }

        text.Append(", at ").Append(Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(')');
        foreach (MemberStatus member in Members)
        {
            text.Append('\n').Append("  ").Append(member);
        }

        return text.ToString();
    }
}
