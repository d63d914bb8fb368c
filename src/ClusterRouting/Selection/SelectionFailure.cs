namespace ClusterRouting;

/// <summary>
/// Why a selection found no member, returned by <see cref="IClusterSelector.TrySelect(out MemberLease, out SelectionFailure)"/>
/// without throwing or allocating. It reads the cluster snapshot that the selection used and what the selection found
/// of each probe when it failed, so the reasons are the ones that decided that selection, however late they are read.
/// </summary>
public readonly struct SelectionFailure
{
    // Bits a member's position may use in each field of the decided word; a cluster has up to 10 members. Past 20 (a
    // cluster far over the limit) a probe is read when asked and an excluded member is not told apart.
    private const int DecidedMembers = 20;
    private const int FullShift = DecidedMembers;
    private const int ExcludedShift = 2 * DecidedMembers;
    private const ulong PrimaryOnlyBit = 1UL << 63;

    private readonly ClusterSnapshot? _snapshot;

    // What the selection decided, in one word so that the value stays 16 bytes (every selection writes it): bit i, the
    // probe of member i was out; bit 20 + i, it was out with every slot taken; bit 40 + i, the caller excluded member i;
    // bit 63, the selection accepted only the primary.
    private readonly ulong _decided;

    private SelectionFailure(ClusterSnapshot snapshot, ulong decided)
    {
        _snapshot = snapshot;
        _decided = decided;
    }

    /// <summary>Gets a value indicating whether the selection accepted only the primary (<see cref="IClusterSelector.TrySelectPrimary"/>).</summary>
    public bool IsPrimaryOnly => (_decided & PrimaryOnlyBit) != 0;

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
        if (member.Rejection == MemberRejectionReason.None && ((IsPrimaryOnly && index > 0) || WasExcluded(index)))
        {
            // A primary-only selection never considered the other members, nor any selection the ones its caller excluded.
            return new MemberRejection(member.Id, MemberRejectionReason.None);
        }

        if (member.Rejection == MemberRejectionReason.None && ProbeCounts(member, index, IsPrimaryOnly) && ProbeWasOut(index))
        {
            return member.Health == MemberHealth.Penalized
                ? new MemberRejection(member.Id, MemberRejectionReason.Offline, _snapshot.Clock.Until(member.State.Penalty.Deadline))
                : new MemberRejection(member.Id, MemberRejectionReason.Probing);
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
    internal static SelectionFailure Capture(ClusterSnapshot snapshot, bool primaryOnly = false) => Capture(snapshot, primaryOnly, default(NoFilter));

    /// <summary>Records why a selection on <paramref name="snapshot"/> that considered only what <paramref name="filter"/> allows failed.</summary>
    internal static SelectionFailure Capture<TFilter>(ClusterSnapshot snapshot, bool primaryOnly, TFilter filter)
        where TFilter : struct, ICandidateFilter
    {
        ulong decided = primaryOnly ? PrimaryOnlyBit : 0;
        SnapshotMember[] members = snapshot.Members;
        for (int i = 0; i < members.Length && i < DecidedMembers; i++)
        {
            SnapshotMember member = members[i];
            if (!filter.Allows(member.State.Slots))
            {
                // Stryker disable once Assignment : the bit starts clear and is set at most once, so ^= sets it as |= does (the mark also covers &=, which clears the word: FailureDecidedReasonTests refute it)
                decided |= 1UL << (ExcludedShift + i);
            }
            else if (member.Rejection == MemberRejectionReason.None && ProbeCounts(member, i, primaryOnly) && member.State.Penalty.Probe.IsTaken)
            {
                // Stryker disable once Assignment : the bit starts clear and is set at most once, so ^= sets it as |= does (the mark also covers &=, which clears the word: FailureDecidedReasonTests refute it)
                decided |= 1UL << i;
                if (member.State.Slots.InFlight >= member.ConcurrencyLimit)
                {
                    // Stryker disable once Assignment : the bit starts clear and is set at most once, so ^= sets it as |= does (the mark also covers &=, which clears the word: FailureDecidedReasonTests refute it)
                    decided |= 1UL << (FullShift + i);
                }
            }
        }

        return new SelectionFailure(snapshot, decided);
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

        if (IsPrimaryOnly)
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
            retryAfter = TimeMath.Earliest(retryAfter, rejection.RetryAfter);
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
    private int ConsideredCount => IsPrimaryOnly ? Math.Min(1, MemberCount) : MemberCount;

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

        // Stryker disable once Unary : every caller reads "none" as "not throttled" (ToException also asks IsThrottled, false then; HeadlineLimit gives the Custom set above), so +1 reads the same
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

    /// <summary>Whether a selection takes the member only with its probe: when it is probing, or a penalized primary for primary-only work.</summary>
    private static bool ProbeCounts(SnapshotMember member, int index, bool primaryOnly) =>
        member.Health == MemberHealth.Probing || (primaryOnly && index == 0 && member.Health == MemberHealth.Penalized);

    // Stryker disable once Equality : with <=, index 20 reads bit 60, which nothing sets (excluded bits are 40 to 59), so the answer is the same false (the mark also covers > and == 0, which FailureInAClusterOverTwentyMembersTests and FailureDecidedReasonTests refute)
    private bool WasExcluded(int index) => index < DecidedMembers && (_decided & (1UL << (ExcludedShift + index))) != 0;

    private bool ProbeWasOut(int index) =>
        index < DecidedMembers ? (_decided & (1UL << index)) != 0 : _snapshot!.Members[index].State.Penalty.Probe.IsTaken;

    private bool ProbeWasFull(int index)
    {
        if (index < DecidedMembers)
        {
            return (_decided & (1UL << (FullShift + index))) != 0;
        }

        SnapshotMember member = _snapshot!.Members[index];
        return member.State.Slots.InFlight >= member.ConcurrencyLimit;
    }
}
