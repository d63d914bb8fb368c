namespace ClusterRouting;

/// <summary>
/// An immutable view of a cluster: its members in order, the ones a selection may take, and the mode. A selection
/// reads one snapshot and nothing else, so it sees either the old or the new membership, never a mix.
/// </summary>
internal sealed class ClusterSnapshot
{
    /// <param name="clusterName">The cluster's name.</param>
    /// <param name="members">Every member, in failover order.</param>
    /// <param name="mode">How selections choose.</param>
    /// <param name="clock">The cluster's clock.</param>
    /// <param name="isDisposed">Whether the cluster was disposed.</param>
    /// <param name="previous">The snapshot this one replaces, whose weighted order is kept when the eligible members and their weights are the same.</param>
    public ClusterSnapshot(string clusterName, SnapshotMember[] members, SelectionMode mode, ClusterClock clock, bool isDisposed = false, ClusterSnapshot? previous = null)
    {
        ClusterName = clusterName;
        Members = members;
        Mode = mode;
        Clock = clock;
        IsDisposed = isDisposed;

        // Shares in the smallest whole numbers: weights as configured unless a member is ramping up.
        int divisor = 0;
        foreach (SnapshotMember member in members)
        {
            divisor = Gcd(divisor, member.ShareWeight);
        }

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
            var candidate = new Candidate(member.State.Slots, member.ConcurrencyLimit, i, probe, member.ShareWeight / divisor, member.Capacity);
            (member.Health == MemberHealth.Penalized ? deferred : eligible).Add(candidate);
        }

        Eligible = eligible.ToArray();
        Deferred = deferred.ToArray();
        Versions = DistinctVersions(members);
        WeightedOrder = mode is SelectionMode.Random or SelectionMode.RoundRobin ? WeightedOrderOf(Eligible, previous) : null;
        Strategy = (mode, WeightedOrder) switch
        {
            (SelectionMode.Random, null) => SelectionStrategy.Random,
            (SelectionMode.Random, _) => SelectionStrategy.WeightedRandom,
            (SelectionMode.RoundRobin, null) => SelectionStrategy.RoundRobin,
            (SelectionMode.RoundRobin, _) => SelectionStrategy.WeightedRoundRobin,
            (SelectionMode.LeastLoaded, _) => LeastLoadedSelection.HaveEqualCapacities(Eligible)
                ? SelectionStrategy.LeastLoaded
                : SelectionStrategy.LeastLoadedByCapacity,
            _ => SelectionStrategy.Failover,
        };
    }

    public string ClusterName { get; }

    /// <summary>Every member in failover order, enabled or not.</summary>
    public SnapshotMember[] Members { get; }

    /// <summary>The members a selection may take, in failover order: the hot path reads only this array.</summary>
    public Candidate[] Eligible { get; }

    /// <summary>Penalized members that are otherwise eligible, in failover order: tried only when no member of <see cref="Eligible"/> can take the operation.</summary>
    public Candidate[] Deferred { get; }

    public SelectionMode Mode { get; }

    /// <summary>What the hot path runs: <see cref="Mode"/>, weighted when the eligible members' weights differ.</summary>
    public SelectionStrategy Strategy { get; }

    /// <summary>
    /// For Random and RoundRobin when the eligible members' weights differ: the smooth weighted order of positions in
    /// <see cref="Eligible"/> (<see cref="SmoothWeightedOrder"/>); <see langword="null"/> when they are all the same, so
    /// that selection is exactly the unweighted one.
    /// </summary>
    public int[]? WeightedOrder { get; }

    public ClusterClock Clock { get; }

    /// <summary>Whether the cluster was disposed: no member may be selected any more.</summary>
    public bool IsDisposed { get; }

    /// <summary>The distinct versions the members report; more than one is version skew.</summary>
    public string[] Versions { get; }

    public ClusterSnapshot With(SnapshotMember[] members) => new(ClusterName, members, Mode, Clock, previous: this);

    public ClusterSnapshot With(SelectionMode mode) => new(ClusterName, Members, mode, Clock, previous: this);

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

    /// <summary>The smooth weighted order of <paramref name="eligible"/>, or <see langword="null"/> when their weights are all the same.</summary>
    private static int[]? WeightedOrderOf(Candidate[] eligible, ClusterSnapshot? previous)
    {
        bool uniform = true;
        for (int i = 1; i < eligible.Length && uniform; i++)
        {
            uniform = eligible[i].Weight == eligible[0].Weight;
        }

        if (uniform)
        {
            return null;
        }

        // A republish that left the eligible members and their weights as they were keeps the order already built.
        if (previous?.WeightedOrder is int[] kept && SameShares(previous.Eligible, eligible))
        {
            return kept;
        }

        var weights = new int[eligible.Length];
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = eligible[i].Weight;
        }

        return SmoothWeightedOrder.Build(weights);
    }

    private static int Gcd(int left, int right)
    {
        while (right != 0)
        {
            (left, right) = (right, left % right);
        }

        return left;
    }

    private static bool SameShares(Candidate[] left, Candidate[] right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        for (int i = 0; i < left.Length; i++)
        {
            if (!ReferenceEquals(left[i].Slots, right[i].Slots) || left[i].Weight != right[i].Weight)
            {
                return false;
            }
        }

        return true;
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
