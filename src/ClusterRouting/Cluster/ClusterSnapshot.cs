namespace ClusterRouting;

/// <summary>
/// An immutable view of a cluster: its members in order, the ones a selection may take, and the settings.
/// A selection reads one snapshot and nothing else, so it sees either the old or the new membership, never a mix.
/// </summary>
internal sealed class ClusterSnapshot
{
    public ClusterSnapshot(string clusterName, SnapshotMember[] members, SelectionMode mode, int concurrencyLimit)
    {
        ClusterName = clusterName;
        Members = members;
        Mode = mode;
        ConcurrencyLimit = concurrencyLimit;

        int eligibleCount = 0;
        for (int i = 0; i < members.Length; i++)
        {
            if (members[i].Rejection == MemberRejectionReason.None)
            {
                eligibleCount++;
            }
        }

        var eligible = new MemberState[eligibleCount];
        var eligibleIndex = new int[eligibleCount];
        int next = 0;
        for (int i = 0; i < members.Length; i++)
        {
            if (members[i].Rejection == MemberRejectionReason.None)
            {
                eligibleIndex[next] = i;
                eligible[next++] = members[i].State;
            }
        }

        Eligible = eligible;
        EligibleIndex = eligibleIndex;
        Versions = DistinctVersions(members);
    }

    public string ClusterName { get; }

    /// <summary>Every member in failover order, enabled or not.</summary>
    public SnapshotMember[] Members { get; }

    /// <summary>The members a selection may take, in failover order: the hot path reads only this array.</summary>
    public MemberState[] Eligible { get; }

    /// <summary>For each entry of <see cref="Eligible"/>, its position in <see cref="Members"/>.</summary>
    public int[] EligibleIndex { get; }

    public SelectionMode Mode { get; }

    /// <summary>In-flight operations allowed per member; <see cref="int.MaxValue"/> when unlimited.</summary>
    public int ConcurrencyLimit { get; }

    /// <summary>The distinct versions the members report; more than one is version skew.</summary>
    public string[] Versions { get; }

    public int IndexOf(string memberId)
    {
        for (int i = 0; i < Members.Length; i++)
        {
            if (string.Equals(Members[i].Id, memberId, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    private static string[] DistinctVersions(SnapshotMember[] members)
    {
        var versions = new List<string>();
        for (int i = 0; i < members.Length; i++)
        {
            string? version = members[i].Version;
            if (!string.IsNullOrWhiteSpace(version) && !versions.Contains(version, StringComparer.OrdinalIgnoreCase))
            {
                versions.Add(version);
            }
        }

        return versions.ToArray();
    }
}
