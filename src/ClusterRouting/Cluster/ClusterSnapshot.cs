namespace ClusterRouting;

/// <summary>
/// An immutable view of a cluster: its members in order, the ones a selection may take, and the settings.
/// A selection reads one snapshot and nothing else, so it sees either the old or the new membership, never a mix.
/// </summary>
internal sealed class ClusterSnapshot
{
    public ClusterSnapshot(string clusterName, SnapshotMember[] members, SelectionMode mode, ClusterClock clock)
    {
        ClusterName = clusterName;
        Members = members;
        Mode = mode;
        Clock = clock;

        var eligible = new List<Candidate>(members.Length);
        var deferred = new List<Candidate>();
        for (int i = 0; i < members.Length; i++)
        {
            SnapshotMember member = members[i];
            if (member.Rejection != MemberRejectionReason.None)
            {
                continue;
            }

            var candidate = new Candidate(member.State, member.Verdict.ConcurrencyLimit, i, member.Health == MemberHealth.Probing);
            (member.Health == MemberHealth.Penalized ? deferred : eligible).Add(candidate);
        }

        Eligible = eligible.ToArray();
        Deferred = deferred.ToArray();
        Versions = DistinctVersions(members);
    }

    public string ClusterName { get; }

    /// <summary>Every member in failover order, enabled or not.</summary>
    public SnapshotMember[] Members { get; }

    /// <summary>The members a selection may take, in failover order: the hot path reads only this array.</summary>
    public Candidate[] Eligible { get; }

    /// <summary>Penalized members that are otherwise eligible, in failover order: tried only when no member of <see cref="Eligible"/> can take the operation.</summary>
    public Candidate[] Deferred { get; }

    public SelectionMode Mode { get; }

    public ClusterClock Clock { get; }

    /// <summary>The distinct versions the members report; more than one is version skew.</summary>
    public string[] Versions { get; }

    public ClusterSnapshot With(SnapshotMember[] members) => new(ClusterName, members, Mode, Clock);

    public ClusterSnapshot With(SelectionMode mode) => new(ClusterName, Members, mode, Clock);

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
            if (version is not null && !string.IsNullOrWhiteSpace(version) && !versions.Contains(version, StringComparer.OrdinalIgnoreCase))
            {
                versions.Add(version);
            }
        }

        return versions.ToArray();
    }
}
