using System.Globalization;
using System.Text;

namespace ClusterRouting;

/// <summary>The state of one member at the moment <see cref="IClusterSelector.GetStatus"/> was called.</summary>
public sealed class MemberStatus
{
    internal MemberStatus(SnapshotMember member, ClusterClock clock)
    {
        Id = member.Id;
        Address = member.State.Address;
        Version = member.Version;
        Enabled = member.Enabled;
        Index = member.Index;
        Weight = member.Weight;
        MemberState state = member.State;
        InFlight = state.Slots.InFlight;
        MemberVerdict verdict = state.Throttle.Verdict;
        TimeSpan? refusal = clock.Until(state.Throttle.RefusedUntil);
        if (refusal > TimeSpan.Zero)
        {
            RefusedFor = state.Throttle.RefusedFor;
            RefusalCoolDownRemaining = refusal;
        }

        CpuPercent = verdict.CpuPercent;
        MemoryPercent = verdict.MemoryPercent;
        int share = state.SlowStart.Share;
        ConcurrencyLimit = verdict.ConcurrencyLimit == int.MaxValue ? null : SlowStartSchedule.Cap(verdict.ConcurrencyLimit, share);
        SlowStartPercentage = share < SlowStartSchedule.Full ? share / 10.0 : null;
        SlowStartEndsAt = clock.UtcOf(state.SlowStart.EndsAt);
        if (verdict.Rejection == MemberRejectionReason.None && InFlight >= ConcurrencyLimit)
        {
            // Full: it takes nothing until a lease ends, which no clock can say.
            Throttle = verdict.ConcurrencyReason;
            ThrottledBy = verdict.ConcurrencyPolicy;
        }
        else
        {
            Throttle = verdict.Rejection;
            ThrottledBy = verdict.RejectedBy;
            ThrottleRetryAfter = clock.Until(verdict.RetryAt);
        }
        Health = state.Penalty.Health;
        ConsecutiveOfflineResults = state.Penalty.ConsecutiveOfflineResults;
        PenalizedUntil = clock.UtcOf(state.Penalty.Deadline);
    }

    /// <summary>Gets whether the member is online, penalized for proving offline, or being probed after its penalty.</summary>
    public MemberHealth Health { get; }

    /// <summary>Gets when the member's penalty ends, by the cluster's clock, while it is <see cref="MemberHealth.Penalized"/>.</summary>
    public DateTimeOffset? PenalizedUntil { get; }

    /// <summary>Gets how many attempts in a row found the member offline (reported offline since its last success).</summary>
    public int ConsecutiveOfflineResults { get; }

    /// <summary>Gets the member's id.</summary>
    public string Id { get; }

    /// <summary>Gets where the member is reached, when known.</summary>
    public Uri? Address { get; }

    /// <summary>Gets the version the member runs, when known.</summary>
    public string? Version { get; }

    /// <summary>Gets a value indicating whether the member may be selected.</summary>
    public bool Enabled { get; }

    /// <summary>Gets the member's position in failover order: 0 is the primary.</summary>
    public int Index { get; }

    /// <summary>Gets the member's weight (<see cref="ClusterMemberOptions.Weight"/>): its share in Random and RoundRobin relative to the other members', and the factor LeastLoaded scales its capacity by.</summary>
    public int Weight { get; }

    /// <summary>Gets a value indicating whether the member is the cluster's primary (the first member).</summary>
    public bool IsPrimary => Index == 0;

    /// <summary>Gets how many leases on the member are not yet disposed.</summary>
    public int InFlight { get; }

    /// <summary>
    /// Gets why the member is throttled (<see cref="MemberRejectionReason.CpuLimit"/>, <see cref="MemberRejectionReason.MemoryLimit"/>,
    /// <see cref="MemberRejectionReason.PolicyLimit"/>, the limit it refused for, or
    /// <see cref="MemberRejectionReason.ConcurrencyLimit"/> when <see cref="InFlight"/> has reached
    /// <see cref="ConcurrencyLimit"/>), or <see cref="MemberRejectionReason.None"/>.
    /// </summary>
    public MemberRejectionReason Throttle { get; }

    /// <summary>Gets the name of the custom policy that throttles the member, for <see cref="MemberRejectionReason.PolicyLimit"/>.</summary>
    public string? ThrottledBy { get; }

    /// <summary>Gets how long until the throttle may lift without new data, when known.</summary>
    public TimeSpan? ThrottleRetryAfter { get; }

    /// <summary>Gets the limit the member last refused an operation for, while that refusal's cool-down runs.</summary>
    public ThrottleLimitKind? RefusedFor { get; }

    /// <summary>
    /// Gets how long the member's last refusal still holds (see <see cref="IClusterSelector.ReportRefusal"/>: for CPU or
    /// memory the member is routed around meanwhile; for concurrency it is capped at what this cluster had there).
    /// </summary>
    public TimeSpan? RefusalCoolDownRemaining { get; }

    /// <summary>Gets the member's average CPU utilization over the aggregation window, or <see langword="null"/> with no sample in it.</summary>
    public double? CpuPercent { get; }

    /// <summary>Gets the member's average memory utilization over the aggregation window, or <see langword="null"/> with no sample in it.</summary>
    public double? MemoryPercent { get; }

    /// <summary>Gets how many operations may be in flight on the member at once, or <see langword="null"/> when unlimited; during a slow start, the ramped limit.</summary>
    public int? ConcurrencyLimit { get; }

    /// <summary>
    /// Gets how far the member's slow start has come, in percent: its share of its weight and of its concurrency limit
    /// now (<see cref="ClusterOptions.SlowStartWindow"/>); <see langword="null"/> when it is not ramping.
    /// </summary>
    public double? SlowStartPercentage { get; }

    /// <summary>Gets when the member's slow start ends, by the cluster's clock, while it is ramping.</summary>
    public DateTimeOffset? SlowStartEndsAt { get; }

    /// <summary>
    /// Describes the member on one line, for logs and consoles: for example
    /// <c>gw-0 (primary, online, 3/40 in flight, CPU 45.0%, memory 61.2%)</c> or
    /// <c>gw-1 (#1, penalized until 10:04:05Z after 2 offline results, throttled: CpuLimit, retry after 0:01:00)</c>.
    /// </summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var text = new StringBuilder(Id).Append(" (").Append(IsPrimary ? "primary" : "#" + Index.ToString(CultureInfo.InvariantCulture));
        if (!Enabled)
        {
            text.Append(", disabled");
        }

        if (Weight != MemberWeights.Default)
        {
            text.Append(", weight ").Append(Weight.ToString(CultureInfo.InvariantCulture));
        }

        text.Append(Health switch
        {
            MemberHealth.Penalized => ", penalized" + (PenalizedUntil is DateTimeOffset until ? " until " + until.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture) : string.Empty),
            MemberHealth.Probing => ", probing",
            _ => ", online",
        });
        if (ConsecutiveOfflineResults > 0)
        {
            text.Append(FormattableString.Invariant($" after {ConsecutiveOfflineResults} offline result{(ConsecutiveOfflineResults == 1 ? string.Empty : "s")}"));
        }

        text.Append(", ").Append(InFlight.ToString(CultureInfo.InvariantCulture));
        if (ConcurrencyLimit is int limit)
        {
            text.Append('/').Append(limit.ToString(CultureInfo.InvariantCulture));
        }

        text.Append(" in flight");
        if (SlowStartPercentage is double ramp)
        {
            text.Append(FormattableString.Invariant($", slow start {ramp:0.#}%"));
        }

        if (CpuPercent is double cpu)
        {
            text.Append(FormattableString.Invariant($", CPU {cpu:0.0}%"));
        }

        if (MemoryPercent is double memory)
        {
            text.Append(FormattableString.Invariant($", memory {memory:0.0}%"));
        }

        if (Throttle != MemberRejectionReason.None)
        {
            text.Append(", throttled: ").Append(ThrottledBy is null ? Throttle.ToString() : $"{Throttle} ({ThrottledBy})");
            if (ThrottleRetryAfter is TimeSpan retry)
            {
                text.Append(", retry after ").Append(retry.ToString("g", CultureInfo.InvariantCulture));
            }
        }

        return text.Append(')').ToString();
    }
}
