namespace ClusterRouting;

/// <summary>
/// What offline tracking knows of one member: whether it is online, penalized or being probed, how many attempts in a
/// row found it offline, and until when it is penalized. Written by <see cref="OfflinePenaltyTracker"/> under the
/// cluster's lock; <see cref="Health"/> and <see cref="ConsecutiveOfflineResults"/> are also read without it, by the
/// success fast path.
/// </summary>
internal sealed class OfflinePenalty
{
    private int _health;
    private int _consecutiveOfflineResults;

    /// <summary>Gets whether the member is online, penalized or probing.</summary>
    public MemberHealth Health => (MemberHealth)Volatile.Read(ref _health);

    /// <summary>Gets how many attempts in a row found the member offline.</summary>
    public int ConsecutiveOfflineResults => Volatile.Read(ref _consecutiveOfflineResults);

    /// <summary>Gets until when, on the cluster's clock, the member is penalized; meaningful while <see cref="Health"/> is penalized.</summary>
    public TimeSpan PenalizedUntil { get; private set; }

    /// <summary>Gets the member's probe, open while it is <see cref="MemberHealth.Probing"/>.</summary>
    public ProbeGate Probe { get; } = new();

    /// <summary>Gets a value indicating whether a success would change nothing: online, with no offline result counted.</summary>
    public bool IsClear => Health == MemberHealth.Online && ConsecutiveOfflineResults == 0;

    /// <summary>Gets when the penalty ends, while the member is penalized.</summary>
    public TimeSpan? Deadline => Health == MemberHealth.Penalized ? PenalizedUntil : null;

    /// <summary>Counts one more offline result without penalizing (offline tracking is off).</summary>
    public void CountOffline_NeedsLock() => Volatile.Write(ref _consecutiveOfflineResults, ConsecutiveOfflineResults + 1);

    /// <summary>
    /// Counts one more offline result and penalizes the member until <paramref name="until"/>. Its probe opens, in a new
    /// epoch, for primary-only work alone: a penalized primary takes one primary-only operation at a time (no other
    /// member may take it); ordinary selections take a penalized member without its probe, after every other member.
    /// </summary>
    public void Penalize_NeedsLock(TimeSpan until)
    {
        CountOffline_NeedsLock();
        PenalizedUntil = until;
        SetHealth(MemberHealth.Penalized);
        Probe.Open_NeedsLock();
    }

    /// <summary>The member is online: its count starts again and its probe closes.</summary>
    /// <returns>Whether it was penalized or probing.</returns>
    public bool Restore_NeedsLock()
    {
        bool wasOut = Health != MemberHealth.Online;
        Volatile.Write(ref _consecutiveOfflineResults, 0);
        Clear_NeedsLock();
        return wasOut;
    }

    /// <summary>Ends a penalty that is due: the member is probed, one operation at a time.</summary>
    /// <returns>Whether the penalty ended.</returns>
    public bool EndIfDue_NeedsLock(TimeSpan now)
    {
        if (Health != MemberHealth.Penalized || PenalizedUntil > now)
        {
            return false;
        }

        SetHealth(MemberHealth.Probing);

        // A primary-only probe still out stays the member's one probe; otherwise the next operation probes.
        if (!Probe.IsTaken)
        {
            // Stryker disable once Statement : a penalized member's probe is open or out (Penalize_NeedsLock opened it and only Restore_NeedsLock closes it), so here it is open already; the new epoch only voids returns from probes no lease holds
            Probe.Open_NeedsLock();
        }

        return true;
    }

    /// <summary>Lifts a penalty or a probe without touching the count (offline tracking was turned off).</summary>
    /// <returns>Whether the member was penalized or probing.</returns>
    public bool Clear_NeedsLock()
    {
        bool wasOut = Health != MemberHealth.Online;
        SetHealth(MemberHealth.Online);
        Probe.Close_NeedsLock();
        return wasOut;
    }

    private void SetHealth(MemberHealth health) => Volatile.Write(ref _health, (int)health);
}
