namespace ClusterRouting;

/// <summary>
/// The right to run one operation on a member. Dispose it when the operation ends: that frees the member's
/// concurrent-operation slot. Disposing twice, or disposing a copy of a lease that was already disposed, does nothing.
/// A lease on a member that was removed from the cluster meanwhile still ends cleanly.
/// </summary>
/// <remarks>
/// A lease allocates nothing. Dispose each lease once per operation; a second dispose on the same thread is ignored,
/// but two threads racing to dispose the same lease is not supported, as with <c>RateLimitLease</c>.
/// </remarks>
public readonly struct MemberLease : IDisposable
{
    private readonly MemberSlots? _slots;
    private readonly LeaseToken? _token;
    private readonly int _generation;
    // The member's position, or its complement (negative) for the single probe of a member whose penalty ended.
    private readonly int _memberIndex;

    // pick: the slot taken (its stripe, and the epoch of the probe it took or -1 for an ordinary slot); local: the
    // selecting thread, whose tokens the lease takes one from.
    internal MemberLease(MemberSlots slots, int memberIndex, Pick pick, LeaseThread local)
    {
        // The pick is read after the token is rented: one value kept across RentToken's rare call instead of two.
        LeaseToken token = local.RentToken();
        int probeEpoch = pick.ProbeEpoch;
        token.ProbeEpoch = probeEpoch;
        token.Stripe = pick.Stripe;
        _slots = slots;
        _token = token;
        _generation = token.Generation;

        // Through a local: a conditional stored straight into a field keeps the JIT from holding a new lease in
        // registers, so every selection would write the lease to the stack and read it back.
        int index = probeEpoch >= 0 ? ~memberIndex : memberIndex;
        _memberIndex = index;
    }

    /// <summary>Gets a value indicating whether this lease holds a member (<see langword="false"/> for <c>default</c>).</summary>
    public bool IsAcquired => _slots is not null;

    /// <summary>Gets the id of the member that takes the operation.</summary>
    /// <exception cref="InvalidOperationException">The lease is <c>default</c> and holds no member.</exception>
    public string MemberId => _slots?.Member.Id ?? throw new InvalidOperationException("This lease holds no member: it is the default value.");

    /// <summary>Gets where the member is reached (<see cref="ClusterMemberOptions.Address"/>), or <see langword="null"/> when it has no address.</summary>
    /// <exception cref="InvalidOperationException">The lease is <c>default</c> and holds no member.</exception>
    public Uri? Address => _slots is null ? throw new InvalidOperationException("This lease holds no member: it is the default value.") : _slots.Member.Address;

    /// <summary>Gets the member's position in failover order when it was selected: 0 is the primary.</summary>
    /// <value>-1 for a <c>default</c> lease.</value>
    public int MemberIndex => _slots is null ? -1 : _memberIndex < 0 ? ~_memberIndex : _memberIndex;

    /// <summary>Gets a value indicating whether the member was the cluster's primary when it was selected.</summary>
    public bool IsPrimary => _slots is not null && MemberIndex == 0;

    /// <summary>
    /// Gets a value indicating whether this lease is the probe of a member whose offline penalty ended: report its
    /// outcome (<see cref="IClusterSelector.ReportSuccess(string)"/> or <see cref="IClusterSelector.ReportOffline(string)"/>)
    /// to restore or re-penalize the member. Ending it without a report lets the next operation probe instead.
    /// </summary>
    public bool IsProbe => _slots is not null && _memberIndex < 0;

    /// <summary>Gets the member the lease is on, or <see langword="null"/> for a <c>default</c> lease.</summary>
    internal MemberState? Member => _slots?.Member;

    /// <summary>Ends the operation and frees the member's slot. Later calls do nothing.</summary>
    public void Dispose()
    {
        LeaseToken? token = _token;
        if (token is null || token.Generation != _generation)
        {
            return;
        }

        // Moving the generation on first makes every copy of this lease stale before the token can be reused.
        int probeEpoch = token.ProbeEpoch;
        int stripe = token.Stripe;
        token.Generation = _generation + 1;
        if (_memberIndex < 0)
        {
            _slots!.Member.Penalty.Probe.Return(probeEpoch);
        }

        _slots!.Release(stripe);

        // Last: from here the owning thread may take the token again.
        Volatile.Write(ref token.InUse, 0);
    }

    /// <inheritdoc />
    public override string ToString() => _slots is null ? "(no member)" : _slots.Member.Id;
}
