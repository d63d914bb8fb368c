namespace ClusterRouting;

/// <summary>
/// A reusable object that makes a <see cref="MemberLease"/> end once: the lease remembers the token's generation when it
/// is taken, and ending it moves the generation on, so a second dispose (or a stale copy of the lease) finds a
/// different generation and does nothing, even after the token was reused for another lease.
/// </summary>
/// <remarks>
/// Each token belongs to the thread that created it (<see cref="LeaseThread"/>) and is only ever taken
/// again by that thread. Ending a lease, on whatever thread, just marks its token free (<see cref="InUse"/>), the last
/// thing it writes; so ending a lease needs no thread-static read, no lock and no interlocked operation.
/// </remarks>
internal sealed class LeaseToken
{
    public int Generation;

    /// <summary>For a probe lease, the epoch of the probe it took; -1 otherwise. Valid while the generation matches.</summary>
    public int ProbeEpoch;

    /// <summary>The stripe of the member's in-flight count the lease's slot was taken on. Valid while the generation matches.</summary>
    public int Stripe;

    /// <summary>1 from when the owning thread takes the token until the lease ends; read and cleared with volatile semantics.</summary>
    public int InUse;
}
