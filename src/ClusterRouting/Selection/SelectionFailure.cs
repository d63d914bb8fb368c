namespace ClusterRouting;

/// <summary>
/// Why a selection found no member, returned by <see cref="IClusterSelector.TrySelect(out MemberLease, out SelectionFailure)"/>
/// without throwing or allocating. It reads the cluster snapshot that the selection used and what the selection found
/// of each probe when it failed, so the reasons are the ones that decided that selection, however late they are read.
/// </summary>
public readonly struct SelectionFailure
{
    private readonly ClusterSnapshot? _snapshot;
    private readonly bool _primaryOnly;

    // What the selection found of each member whose penalty had ended, by position (bit i for member i): its probe was
    // out; its probe was out and every slot was taken. A cluster has up to 10 members; past 64 (a cluster far over the
    // limit) the probe is read when asked.
    private readonly ulong _probeOut;
    private readonly ulong _probeFull;

    private SelectionFailure(ClusterSnapshot snapshot, bool primaryOnly, ulong probeOut, ulong probeFull)
    {
        _snapshot = snapshot;
        _primaryOnly = primaryOnly;
        _probeOut = probeOut;
        _probeFull = probeFull;
    }

    /// <summary>Gets a value indicating whether the selection accepted only the primary (<see cref="IClusterSelector.TrySelectPrimary"/>).</summary>
    public bool IsPrimaryOnly => _primaryOnly;

    /// <summary>Gets a value indicating whether this value describes a failed selection (<see langword="false"/> for <c>default</c>).</summary>
    public bool IsFailure => _snapshot is not null;

    /// <summary>Gets the name of the cluster the selection ran on.</summary>
    public string ClusterName => _snapshot?.ClusterName ?? string.Empty;

    /// <summary>Gets how many members the cluster had for that selection; one rejection per member.</summary>
    public int MemberCount => _snapshot?.Members.Length ?? 0;

    /// <summary>
    /// Gets a value indicating whether the selection failed because every enabled member is at or over a throttling
    /// limit (and there is at least one enabled member); a member whose probe is out counts only when its slots are full.
    /// For a primary-only selection, only the primary counts.
    /// </summary>
    public bool IsThrottled
    {
        get
        {
            bool anyEnabled = false;
            for (int i = 0; i < ConsideredCount; i++)
            {
                if (!_snapshot!.Members[i].Enabled)
                {
                    continue;
                }

                anyEnabled = true;
                if (!IsAtALimit(i, out _))
                {
                    return false;
                }
            }

            return anyEnabled;
        }
    }

    /// <summary>
    /// Gets the rejection of the member at <paramref name="index"/> in failover order. For a primary-only selection,
    /// members after the primary that were not excluded report <see cref="MemberRejectionReason.None"/>: they were not considered.
    /// </summary>
    /// <param name="index">The member's position, from 0 (the primary) to <see cref="MemberCount"/> - 1.</param>
    /// <returns>The member's id, why it was not used and, when known, when it may take operations again.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is outside the member list.</exception>
    public MemberRejection GetRejection(int index)
    {
        if (_snapshot is null || (uint)index >= (uint)_snapshot.Members.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, "The index must name a member of the failed selection.");
        }

        SnapshotMember member = _snapshot.Members[index];
        MemberVerdict verdict = member.Verdict;
        if (_primaryOnly && index > 0 && member.Rejection == MemberRejectionReason.None)
        {
            // A primary-only selection never considered the other members.
            return new MemberRejection(member.Id, MemberRejectionReason.None);
        }

        if (member.Rejection == MemberRejectionReason.None && member.Health == MemberHealth.Probing && ProbeWasOut(index))
        {
            return new MemberRejection(member.Id, MemberRejectionReason.Probing);
        }

        if (member.Rejection == MemberRejectionReason.None)
        {
            // The snapshot admitted the member, so the per-selection check refused it: its concurrency slots were full.
            return new MemberRejection(member.Id, verdict.ConcurrencyReason, retryAfter: null, verdict.ConcurrencyPolicy);
        }

        if (member.Rejection == MemberRejectionReason.Disabled)
        {
            return new MemberRejection(member.Id, MemberRejectionReason.Disabled);
        }

        return new MemberRejection(member.Id, member.Rejection, _snapshot.Clock.Until(verdict.RetryAt), verdict.RejectedBy);
    }

    /// <summary>Records why a selection on <paramref name="snapshot"/> failed, as the members' probes stand now.</summary>
    internal static SelectionFailure Capture(ClusterSnapshot snapshot, bool primaryOnly = false)
    {
        ulong probeOut = 0;
        ulong probeFull = 0;
        SnapshotMember[] members = snapshot.Members;
        for (int i = 0; i < members.Length && i < 64; i++)
        {
            SnapshotMember member = members[i];
            if (member.Rejection == MemberRejectionReason.None && member.Health == MemberHealth.Probing && member.State.Penalty.Probe.IsTaken)
            {
                probeOut |= 1UL << i;
                if (member.State.Slots.InFlight >= member.Verdict.ConcurrencyLimit)
                {
                    probeFull |= 1UL << i;
                }
            }
        }

        return new SelectionFailure(snapshot, primaryOnly, probeOut, probeFull);
    }

    /// <summary>Builds the exception that the throwing selection methods raise for this failure.</summary>
    /// <returns>
    /// A <see cref="ClusterThrottledException"/> with the gateway's message when <see cref="IsThrottled"/>; otherwise
    /// a <see cref="NoMemberAvailableException"/>. Both list every member and why it was not used.
    /// </returns>
    /// <exception cref="InvalidOperationException">This value is <c>default</c>, not a failure.</exception>
    public NoMemberAvailableException ToException()
    {
        if (_snapshot is null)
        {
            throw new InvalidOperationException("A default SelectionFailure describes no failure.");
        }

        var rejections = new MemberRejection[_snapshot.Members.Length];
        for (int i = 0; i < rejections.Length; i++)
        {
            rejections[i] = GetRejection(i);
        }

        if (_primaryOnly)
        {
            return new PrimaryUnavailableException(_snapshot.ClusterName, rejections);
        }

        int first = FirstThrottled(out ThrottleLimitKind headlineLimit);
        if (first < 0 || !IsThrottled)
        {
            return new NoMemberAvailableException(_snapshot.ClusterName, rejections);
        }

        TimeSpan? retryAfter = null;
        foreach (MemberRejection rejection in rejections)
        {
            if (rejection.RetryAfter is TimeSpan candidate && (retryAfter is null || candidate < retryAfter))
            {
                retryAfter = candidate;
            }
        }

        MemberRejection headline = rejections[first];
        return new ClusterThrottledException(_snapshot.ClusterName, headlineLimit, headline.MemberId, headline.PolicyName, retryAfter, rejections);
    }

    /// <inheritdoc />
    public override string ToString() => _snapshot is null ? "No failure" : ToException().Message;

    /// <summary>The limit of the first throttled member, which the error message names; <see cref="ThrottleLimitKind.Custom"/> when none is throttled.</summary>
    internal ThrottleLimitKind HeadlineLimit
    {
        get
        {
            return FirstThrottled(out ThrottleLimitKind limit) < 0 ? ThrottleLimitKind.Custom : limit;
        }
    }

    /// <summary>How many members, from the primary, the selection considered: only the primary for a primary-only selection.</summary>
    private int ConsideredCount => _primaryOnly ? Math.Min(1, MemberCount) : MemberCount;

    /// <summary>The first enabled member in failover order that is at a limit, and that limit; -1 when none is.</summary>
    private int FirstThrottled(out ThrottleLimitKind limit)
    {
        for (int i = 0; i < ConsideredCount; i++)
        {
            if (_snapshot!.Members[i].Enabled && IsAtALimit(i, out limit))
            {
                return i;
            }
        }

        limit = ThrottleLimitKind.Custom;
        return -1;
    }

    /// <summary>Whether the member is at or over a limit: a throttling reason, or its probe out with every slot taken.</summary>
    private bool IsAtALimit(int index, out ThrottleLimitKind limit)
    {
        MemberRejection rejection = GetRejection(index);
        if (rejection.IsThrottled)
        {
            limit = ThrottleLimits.KindOf(rejection.Reason);
            return true;
        }

        limit = ThrottleLimitKind.Concurrency;
        return rejection.Reason == MemberRejectionReason.Probing && ProbeWasFull(index);
    }

    private bool ProbeWasOut(int index) =>
        index < 64 ? (_probeOut & (1UL << index)) != 0 : _snapshot!.Members[index].State.Penalty.Probe.IsTaken;

    private bool ProbeWasFull(int index)
    {
        if (index < 64)
        {
            return (_probeFull & (1UL << index)) != 0;
        }

        SnapshotMember member = _snapshot!.Members[index];
        return member.State.Slots.InFlight >= member.Verdict.ConcurrencyLimit;
    }
}
