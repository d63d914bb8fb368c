namespace ClusterRouting;

/// <summary>
/// The offline penalty and probe state machine of a cluster. Online --offline--> Penalized --penalty ends--> Probing
/// (one probe operation at a time) --success--> Online, or --offline--> Penalized again, for twice as long. Each call
/// is made under the cluster's lock by the change that reports or observes it, and says whether selections must see
/// the result.
/// </summary>
/// <remarks>
/// The jitter draws from a generator of the tracker's own, so offline reports never shift the sequence of a seeded
/// <see cref="RandomSource"/> used for <see cref="SelectionMode.Random"/>.
/// </remarks>
internal sealed class OfflinePenaltyTracker
{
#pragma warning disable CA5394 // Jitter spreads probes out; it needs no unpredictability.
    private readonly Random _jitter = new();

    /// <summary>An attempt found the member offline: penalize it (or, with tracking off, only count it).</summary>
    /// <returns>Whether selections must see the change.</returns>
    public bool Offline_NeedsLock(MemberState member, PenaltySchedule schedule, TimeSpan now, List<ClusterEvent> events)
    {
        OfflinePenalty penalty = member.Penalty;
        if (!schedule.TrackOfflineMembers)
        {
            penalty.CountOffline_NeedsLock();
            return false;
        }

        int count = penalty.ConsecutiveOfflineResults + 1;
        TimeSpan duration = schedule.Duration(count, _jitter.NextDouble());
        penalty.Penalize_NeedsLock(TimeMath.Add(now, duration));
        events.Add(new PenaltyStartedEvent(member.Id, count, duration));
        return true;
    }
#pragma warning restore CA5394

    /// <summary>An operation on the member succeeded: a penalized or probing member is online again.</summary>
    /// <returns>Whether selections must see the change.</returns>
    public static bool Success_NeedsLock(MemberState member, List<ClusterEvent> events)
    {
        if (!member.Penalty.Restore_NeedsLock())
        {
            return false;
        }

        events.Add(new PenaltyEndedEvent(member.Id));
        return true;
    }

    /// <summary>Time passed: a penalty that is due ends, and the member is probed.</summary>
    /// <returns>Whether selections must see the change.</returns>
    public static bool Advance_NeedsLock(MemberState member, TimeSpan now, List<ClusterEvent> events)
    {
        if (!member.Penalty.EndIfDue_NeedsLock(now))
        {
            return false;
        }

        events.Add(new ProbeOpenedEvent(member.Id));
        return true;
    }

    /// <summary>Offline tracking was turned off: penalties and probes end, and the member is online.</summary>
    /// <returns>Whether selections must see the change.</returns>
    public static bool Untrack_NeedsLock(MemberState member) => member.Penalty.Clear_NeedsLock();
}
