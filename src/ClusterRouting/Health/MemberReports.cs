namespace ClusterRouting;

/// <summary>
/// What the cluster learns about a member outside a selection (a utilization sample, a refusal, an offline or
/// successful attempt, a probe), each applied as one unit of work on the cluster's state, then counted in its metric.
/// The public reports check their arguments and find the member first; an execution reports its attempts' outcomes
/// here directly.
/// </summary>
internal sealed class MemberReports
{
    private readonly ClusterState _state;

    public MemberReports(ClusterState state) => _state = state;

    /// <summary>Adds a sample to the member's window and evaluates it again; false when no member has the id.</summary>
    public bool Utilization(string memberId, double cpuPercent, double memoryPercent)
    {
        using ClusterChange change = _state.Begin();
        MemberState? member = change.Find(memberId);
        if (member is null)
        {
            return false;
        }

        member.Throttle.AddSample_NeedsLock(change.Now, cpuPercent, memoryPercent, change.Settings.Throttling.Window);
        change.Reevaluate(member);
        return true;
    }

    /// <summary>The member refused an operation for <paramref name="limit"/>: it is held off (or, for its concurrency limit, capped) for the cool-down.</summary>
    public void Refusal(MemberState member, ThrottleLimitKind limit, TimeSpan? coolDown)
    {
        using (ClusterChange change = _state.Begin())
        {
            if (change.Snapshot.Contains(member))
            {
                TimeSpan appliedCoolDown = coolDown ?? change.Settings.Throttling.RefusalCoolDown;

                // The refused operation's lease may still be held: count it out (at worst one too few, never one too many).
                // The cap applies only to a concurrency refusal; Refuse_NeedsLock drops it for the others.
                member.Throttle.Refuse_NeedsLock(limit, TimeMath.Add(change.Now, appliedCoolDown), Math.Max(0, member.Slots.InFlight - 1));
                change.Events.Add(new MemberRefusedEvent(member.Id, limit, appliedCoolDown));
                change.Reevaluate(member);
            }
        }

        _state.Metrics.RecordRefusal(member.Id, limit);
    }

    /// <summary>An attempt found the member offline: it is penalized when offline members are tracked.</summary>
    public void Offline(MemberState member)
    {
        using (ClusterChange change = _state.Begin())
        {
            if (change.Snapshot.Contains(member) && _state.Penalties.Offline_NeedsLock(member, change.Settings.Penalties, change.Now, change.Events))
            {
                change.Republish();
            }
        }

        _state.Metrics.RecordOfflineAttempt(member.Id);
    }

    /// <summary>An attempt on the member succeeded: a penalized or probing member is back (and ramps up if slow start is on).</summary>
    public void Success(MemberState member)
    {
        if (member.Penalty.IsClear)
        {
            return;
        }

        using ClusterChange change = _state.Begin();
        if (change.Snapshot.Contains(member) && OfflinePenaltyTracker.Success_NeedsLock(member, change.Events))
        {
            member.SlowStart.Begin_NeedsLock(change.Now, change.Settings.SlowStart);
            change.Republish();
        }
    }

    /// <summary>A health probe answered (or failed): its load, version and liveness apply to the member.</summary>
    public void Probe(MemberState member, MemberProbeResult result)
    {
        using (ClusterChange change = _state.Begin())
        {
            if (change.Snapshot.Contains(member))
            {
                MemberProbes.Apply_NeedsLock(change, member, result);
            }
        }

        _state.Metrics.RecordProbe(member.Id, result.IsOnline);
    }
}
