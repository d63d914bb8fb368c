using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// Takes a slot on a member of a published snapshot as the snapshot's mode chooses, and records the selection (its
/// metric, a failover's event), or captures why no member took it. <see cref="ClusterSelector"/> holds it by value, so
/// the hot path reads these fields with no more indirection than if they were its own.
/// </summary>
internal readonly struct SnapshotSelection
{
    // The cluster's own random source; null for RandomSource.Shared, whose per-thread generator is drawn from directly.
    private readonly RandomSource? _customRandom;
    private readonly ClusterMetrics _metrics;
    private readonly ClusterEventLog _events;

    // One round-robin cursor per stripe (Stripes), each on its own cache line: a thread rotates on its stripe's
    // cursor, so concurrent selections write no shared counter. Each starts at the primary.
    private readonly int[] _roundRobinCursors;

    public SnapshotSelection(RandomSource? customRandom, ClusterMetrics metrics, ClusterEventLog events)
    {
        _customRandom = customRandom;
        _metrics = metrics;
        _events = events;
        _roundRobinCursors = new int[Stripes.ArrayLength];
    }

    /// <summary>Takes a slot on an eligible member of <paramref name="snapshot"/>, as the mode chooses: the lease, or <c>default</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public MemberLease Take<TFilter>(ClusterSnapshot snapshot, TFilter filter)
        where TFilter : struct, ICandidateFilter
    {
        Candidate[] candidates = snapshot.Eligible;
        LeaseThread local = LeaseThread.Current;
        int stripe = local.Stripe;
        Pick pick = snapshot.Strategy switch
        {
            SelectionStrategy.Failover => FailoverSelection.Select(candidates, filter, stripe),
            SelectionStrategy.Random => RandomSelection.Select(candidates, _customRandom, local, filter, stripe),
            SelectionStrategy.RoundRobin => RoundRobinSelection.Select(candidates, ref _roundRobinCursors[Stripes.Offset(stripe)], filter, stripe),
            SelectionStrategy.LeastLoaded => LeastLoadedSelection.Select(candidates, _customRandom, local, filter, stripe),
            SelectionStrategy.LeastLoadedByCapacity => LeastLoadedSelection.SelectByCapacity(candidates, _customRandom, local, filter, stripe),
            SelectionStrategy.WeightedRandom => RandomSelection.SelectWeighted(candidates, snapshot.WeightedOrder!, _customRandom, local, filter, stripe),
            _ => RoundRobinSelection.SelectWeighted(candidates, snapshot.WeightedOrder!, ref _roundRobinCursors[Stripes.Offset(stripe)], filter, stripe),
        };

        return pick.IsTaken ? Leased(snapshot, in candidates[pick.Position], pick, local) : default;
    }

    /// <summary>Takes a slot on a penalized member, in failover order: the lease, or <c>default</c>.</summary>
    public MemberLease TakeDeferred<TFilter>(ClusterSnapshot snapshot, TFilter filter)
        where TFilter : struct, ICandidateFilter
    {
        LeaseThread local = LeaseThread.Current;
        Pick pick = FailoverSelection.Select(snapshot.Deferred, filter, local.Stripe);
        return pick.IsTaken ? Leased(snapshot, in snapshot.Deferred[pick.Position], pick, local) : default;
    }

    /// <summary>Takes a slot on the primary, eligible or (its probe, one at a time) penalized: the lease, or <c>default</c>.</summary>
    public MemberLease TakePrimary(ClusterSnapshot snapshot)
    {
        LeaseThread local = LeaseThread.Current;
        Candidate[] candidates = snapshot.Eligible;
        Pick pick = PrimarySelection.Select(candidates, local.Stripe);
        if (!pick.IsTaken)
        {
            candidates = snapshot.Deferred;
            pick = PrimarySelection.SelectPenalized(candidates, local.Stripe);
        }

        return pick.IsTaken ? Leased(snapshot, in candidates[pick.Position], pick, local) : default;
    }

    /// <summary>Why no member of <paramref name="snapshot"/> took the operation, as decided now, counted in its metric.</summary>
    public SelectionFailure Failed<TFilter>(ClusterSnapshot snapshot, bool primaryOnly, TFilter filter)
        where TFilter : struct, ICandidateFilter
    {
        snapshot.ThrowIfDisposed();
        SelectionFailure failure = SelectionFailure.Capture(snapshot, primaryOnly, filter);
        if (_metrics.FailuresEnabled)
        {
            _metrics.RecordFailed(failure);
        }

        return failure;
    }

    /// <summary>The lease for the slot <paramref name="pick"/> took on <paramref name="candidate"/>.</summary>
    /// <remarks>
    /// With nothing to record (no listener on the selections metric, no failover), the lease is built last and returned
    /// at once: no call follows it, so the JIT keeps it in registers instead of saving it on the stack around one.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private MemberLease Leased(ClusterSnapshot snapshot, in Candidate candidate, Pick pick, LeaseThread local)
    {
        if (_metrics.SelectionsEnabled || (candidate.Index > 0 && snapshot.Mode == SelectionMode.Failover))
        {
            return LeasedAndRecorded(snapshot, in candidate, pick, local);
        }

        return new MemberLease(candidate.Slots, candidate.Index, pick, local);
    }

    /// <summary>The lease, then the selection counted in its metric and, for a failover, its event.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private MemberLease LeasedAndRecorded(ClusterSnapshot snapshot, in Candidate candidate, Pick pick, LeaseThread local)
    {
        var lease = new MemberLease(candidate.Slots, candidate.Index, pick, local);
        if (_metrics.SelectionsEnabled)
        {
            _metrics.RecordSelected(candidate.Slots.Member.Id);
        }

        if (candidate.Index > 0 && snapshot.Mode == SelectionMode.Failover)
        {
            OnFailover(candidate.Slots.Member, candidate.Index);
        }

        return lease;
    }

    private void OnFailover(MemberState member, int index)
    {
        if (_metrics.FailoversEnabled)
        {
            _metrics.RecordFailover(member.Id);
        }

        _events.FailedOver(member.Id, index);
    }
}
