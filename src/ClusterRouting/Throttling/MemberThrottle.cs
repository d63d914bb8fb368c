namespace ClusterRouting;

/// <summary>
/// What throttling knows of one member: its utilization samples, its last refusal and the verdict last evaluated from
/// them. Written under the cluster's lock; selections read the verdict only through the snapshot built from it.
/// </summary>
internal sealed class MemberThrottle
{
    /// <summary>Gets the CPU and memory samples; created with the first sample.</summary>
    public UtilizationWindow? Utilization { get; private set; }

    /// <summary>Gets the limit the member last refused an operation for.</summary>
    public ThrottleLimitKind RefusedFor { get; private set; }

    /// <summary>Gets until when, on the cluster's clock, the member's refusal holds; <see cref="TimeSpan.Zero"/> for none.</summary>
    public TimeSpan RefusedUntil { get; private set; }

    /// <summary>
    /// Gets, for a refusal for the concurrency limit, how many operations this cluster may keep on the member until the
    /// refusal ends: those it had in flight there less the one refused; 0 keeps the member out.
    /// </summary>
    public int RefusedConcurrencyCap { get; private set; }

    /// <summary>Gets the last evaluation of the member's refusal and policies.</summary>
    public MemberVerdict Verdict { get; private set; } = MemberVerdict.Unrestricted;

    public void AddSample_NeedsLock(TimeSpan now, double cpuPercent, double memoryPercent, TimeSpan window)
    {
        Utilization ??= new UtilizationWindow(window, ThrottlingDefaults.UtilizationBuckets);
        Utilization.Add(now, cpuPercent, memoryPercent);
    }

    public void Refuse_NeedsLock(ThrottleLimitKind limit, TimeSpan until, int concurrencyCap = 0)
    {
        RefusedFor = limit;
        RefusedUntil = until;
        RefusedConcurrencyCap = limit == ThrottleLimitKind.Concurrency ? concurrencyCap : 0;
    }

    /// <summary>Drops every sample: a new aggregation window starts the averages afresh.</summary>
    public void ResetWindow_NeedsLock() => Utilization = null;

    /// <summary>Replaces the verdict, queuing <c>MemberThrottled</c> or <c>MemberUnthrottled</c> when the rejection changed.</summary>
    /// <returns>Whether selections must see the new verdict (a verdict that differs only in loads or deadline does not route differently).</returns>
    public bool Apply_NeedsLock(MemberVerdict verdict, string memberId, List<ClusterEvent> events)
    {
        MemberVerdict previous = Verdict;
        if (previous.Equals(verdict))
        {
            return false;
        }

        Verdict = verdict;
        if (previous.Rejection != verdict.Rejection)
        {
            events.Add(verdict.Rejection == MemberRejectionReason.None
                ? new MemberUnthrottledEvent(memberId)
                : new MemberThrottledEvent(memberId, verdict.Rejection));
        }

        return !previous.RoutesLike(verdict);
    }
}
