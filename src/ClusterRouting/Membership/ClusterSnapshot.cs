namespace ClusterRouting;

/// <summary>
/// An immutable view of a cluster: its members in order, the ones a selection may take, and the mode. A selection
/// reads one snapshot and nothing else, so it sees either the old or the new membership, never a mix.
/// </summary>
internal sealed class ClusterSnapshot
{
    public ClusterSnapshot(string clusterName, SnapshotMember[] members, SelectionMode mode, ClusterClock clock, bool isDisposed = false)
    {
        ClusterName = clusterName;
        Members = members;
        Mode = mode;
        Clock = clock;
        IsDisposed = isDisposed;

        var eligible = new List<Candidate>(members.Length);
        var deferred = new List<Candidate>();
        for (int i = 0; i < members.Length; i++)
        {
            SnapshotMember member = members[i];
            if (isDisposed || member.Rejection != MemberRejectionReason.None)
            {
                continue;
            }

            ProbeGate? probe = member.Health == MemberHealth.Probing ? member.State.Penalty.Probe : null;
            var candidate = new Candidate(member.State.Slots, member.Verdict.ConcurrencyLimit, i, probe);
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

    /// <summary>Whether the cluster was disposed: no member may be selected any more.</summary>
    public bool IsDisposed { get; }

    /// <summary>The distinct versions the members report; more than one is version skew.</summary>
    public string[] Versions { get; }

    public ClusterSnapshot With(SnapshotMember[] members) => new(ClusterName, members, Mode, Clock);

    public ClusterSnapshot With(SelectionMode mode) => new(ClusterName, Members, mode, Clock);

    /// <summary>The same members with their current verdicts and health, for selections to see.</summary>
    public ClusterSnapshot Republished()
    {
        var members = new SnapshotMember[Members.Length];
        for (int i = 0; i < members.Length; i++)
        {
            members[i] = Members[i].Current(i);
        }

        return With(members);
    }

    /// <summary>The snapshot that a disposed cluster publishes: its members for status, none selectable.</summary>
    public ClusterSnapshot Disposed() => new(ClusterName, Members, Mode, Clock, isDisposed: true);

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

    /// <summary>The member with <paramref name="memberId"/> (ignoring case), or <see langword="null"/>.</summary>
    public MemberState? Find(string memberId)
    {
        int index = IndexOf(memberId);
        return index < 0 ? null : Members[index].State;
    }

    /// <exception cref="ObjectDisposedException">This is a disposed cluster's snapshot.</exception>
    public void ThrowIfDisposed()
    {
        if (IsDisposed)
        {
            throw DisposedError(ClusterName);
        }
    }

    /// <summary>The error for any use of the disposed cluster <paramref name="clusterName"/>.</summary>
    public static ObjectDisposedException DisposedError(string clusterName) =>
        new(nameof(ClusterSelector), $"Cluster '{clusterName}' was disposed.");

    /// <summary>Whether <paramref name="state"/> is one of this snapshot's members (not one removed before it was built).</summary>
    public bool Contains(MemberState state)
    {
        foreach (SnapshotMember member in Members)
        {
            if (ReferenceEquals(member.State, state))
            {
                return true;
            }
        }

        return false;
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
