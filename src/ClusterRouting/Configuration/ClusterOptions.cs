using System.ComponentModel.DataAnnotations;

namespace ClusterRouting;

/// <summary>The settings of one cluster: its members in failover order and how members are selected.</summary>
public sealed class ClusterOptions
{
    /// <summary>
    /// Gets the members in failover order. The first member is the primary.
    /// At most <see cref="ClusterLimits.MaxMembers"/> (10) are expected; a cluster set up with more keeps operating
    /// (and logs a warning) but refuses additions until it is below the limit again.
    /// </summary>
    /// <value>The default value is an empty list.</value>
    public IList<ClusterMemberOptions> Members { get; init; } = new List<ClusterMemberOptions>();

    /// <summary>Gets or sets how the cluster chooses among its eligible members.</summary>
    /// <value>The default value is <see cref="SelectionMode.Failover"/>.</value>
    public SelectionMode Mode { get; set; } = SelectionMode.Failover;

    /// <summary>
    /// Gets or sets the CPU throttling limit, in percent: a member whose CPU utilization, averaged over
    /// <see cref="ResourceUtilizationAggregationTimeInMinutes"/>, is at or over this value is skipped.
    /// The permissible range is 0 to 100; 0 disables the limit. The name is the gateway's configuration key.
    /// </summary>
    /// <value>The default value is 0 (disabled).</value>
    [Range(0d, 100d)]
    public double CPUUtilizationPercentageThreshold { get; set; } = ThrottlingDefaults.CpuThreshold;

    /// <summary>
    /// Gets or sets the memory throttling limit, in percent: a member whose memory utilization, averaged over
    /// <see cref="ResourceUtilizationAggregationTimeInMinutes"/>, is at or over this value is skipped.
    /// The permissible range is 0 to 100; 0 disables the limit. The name is the gateway's configuration key.
    /// </summary>
    /// <value>The default value is 0 (disabled).</value>
    [Range(0d, 100d)]
    public double MemoryUtilizationPercentageThreshold { get; set; } = ThrottlingDefaults.MemoryThreshold;

    /// <summary>
    /// Gets or sets the time in minutes over which CPU and memory samples are averaged before they are compared with
    /// the thresholds. At least 1. The name is the gateway's configuration key.
    /// </summary>
    /// <remarks>
    /// The window is kept in 60 buckets of 1/60 of its length, so the memory per member is fixed however many samples
    /// arrive: a sample counts until the start of the bucket it arrived in is a whole window old (between 59/60 of the
    /// window and the whole window after it arrived). A member with no sample in the window has no average and is not
    /// throttled for CPU or memory: the member's own limit still protects it, and offline tracking handles silence.
    /// Changing the window starts every member's averages afresh.
    /// </remarks>
    /// <value>The default value is 5.</value>
    [Range(1, int.MaxValue)]
    public int ResourceUtilizationAggregationTimeInMinutes { get; set; } = ThrottlingDefaults.AggregationTimeInMinutes;

    /// <summary>
    /// Gets or sets how many operations may be in flight on each member at once (counted by this cluster's leases).
    /// At least 1. Concurrency throttling is on by default; <see cref="BypassConcurrentOperationLimit"/> removes it.
    /// The name is the gateway's configuration key.
    /// </summary>
    /// <value>The default value is 40.</value>
    [Range(1, int.MaxValue)]
    public int ConcurrentOperationLimitPreview { get; set; } = ThrottlingDefaults.ConcurrentOperationLimit;

    /// <summary>Gets or sets a value indicating whether the concurrent-operation limit is removed. The name is the gateway's configuration key.</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool BypassConcurrentOperationLimit { get; set; }

    /// <summary>
    /// Gets or sets how long selections route around a member after it refused an operation for one of its own limits
    /// (see <see cref="ClusterSelector.ReportRefusal(string, ThrottleLimitKind, TimeSpan?)"/>). Greater than zero.
    /// </summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan MemberRefusalCoolDown { get; set; } = ThrottlingDefaults.RefusalCoolDown;

    /// <summary>Gets or sets what happens to a member when a custom throttle policy throws while evaluating it.</summary>
    /// <value>The default value is <see cref="ThrottlePolicyFailureMode.FailOpen"/>.</value>
    public ThrottlePolicyFailureMode ThrottlePolicyFailureMode { get; set; } = ThrottlePolicyFailureMode.FailOpen;

    /// <summary>
    /// Gets the custom throttle policies, evaluated after the built-in CPU, memory and concurrency limits.
    /// </summary>
    /// <value>The default value is an empty list.</value>
    public IList<ThrottlePolicy> ThrottlePolicies { get; init; } = new List<ThrottlePolicy>();

    /// <summary>
    /// Gets or sets a value indicating whether members that prove offline are penalized: tried only after every
    /// eligible member that is not penalized, until a probe shows they are back.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool TrackOfflineMembers { get; set; } = true;

    /// <summary>
    /// Gets or sets the penalty after the first consecutive offline result. Each further consecutive offline result
    /// doubles it, up to <see cref="OfflinePenaltyMaxDuration"/>. Greater than zero.
    /// </summary>
    /// <value>The default value is 5 seconds.</value>
    public TimeSpan OfflinePenaltyBaseDuration { get; set; } = PenaltyDefaults.BaseDuration;

    /// <summary>Gets or sets the longest penalty, before jitter. At least <see cref="OfflinePenaltyBaseDuration"/>.</summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan OfflinePenaltyMaxDuration { get; set; } = PenaltyDefaults.MaxDuration;

    /// <summary>
    /// Gets or sets the jitter of each penalty, as a fraction: a penalty of <c>p</c> lasts between <c>p x (1 - j)</c> and
    /// <c>p x (1 + j)</c>, so that several routers do not probe a member in step. 0 to 1.
    /// </summary>
    /// <value>The default value is 0.2.</value>
    [Range(0d, 1d)]
    public double OfflinePenaltyJitter { get; set; } = PenaltyDefaults.Jitter;

    /// <summary>
    /// Gets or sets how long a member that comes back ramps up over: after its probe succeeds, when it is enabled again,
    /// or when it is added to a running cluster (not the members a cluster starts with), its concurrency limit and its
    /// share of <see cref="SelectionMode.Random"/> and <see cref="SelectionMode.RoundRobin"/> selections rise from
    /// <see cref="SlowStartMinimumPercentage"/> to the whole, linearly, in 20 steps over the window (each step
    /// scheduled on the cluster's timer; a selection reads no clock). <see cref="TimeSpan.Zero"/> turns slow start off.
    /// A member that proves offline during its ramp is penalized as usual and ramps again from the start when it
    /// comes back. Not negative.
    /// </summary>
    /// <value>The default value is <see cref="TimeSpan.Zero"/> (off), as in Envoy and HAProxy.</value>
    public TimeSpan SlowStartWindow { get; set; } = SlowStartDefaults.Window;

    /// <summary>
    /// Gets or sets the share of its weight and concurrency limit a member starts its slow start with, in percent: it
    /// takes <c>max(minimum, elapsed / window)</c> of each (the limit rounded up, at least 1), as Envoy's
    /// <c>min_weight_percent</c> with its default aggression of 1. From 1 to 100.
    /// </summary>
    /// <value>The default value is 10, Envoy's default.</value>
    [Range(1d, 100d)]
    public double SlowStartMinimumPercentage { get; set; } = SlowStartDefaults.MinimumPercentage;

    /// <summary>
    /// Gets or sets how many hedged attempts a run of
    /// <see cref="ClusterSelector.ExecuteAsync{TResult}(Func{MemberLease, CancellationToken, ValueTask{TResult}}, CancellationToken)"/>
    /// may start: when the attempt in flight has no result after <see cref="HedgingDelay"/>, the same operation starts on
    /// the next member that can take it (enabled, not throttled, not penalized, under its limit, in the mode's order)
    /// and that the run has not tried; the first success wins and the other attempts are cancelled, their outcomes
    /// recorded as usual. From 0 to 9; 0 turns hedging off. Primary-only work is never hedged.
    /// </summary>
    /// <value>The default value is 0 (off).</value>
    [Range(0, HedgingDefaults.MaxHedgedAttemptsLimit)]
    public int MaxHedgedAttempts { get; set; } = HedgingDefaults.MaxHedgedAttempts;

    /// <summary>
    /// Gets or sets how long an attempt may run without a result before a hedge starts beside it (timed by the
    /// cluster's <see cref="TimeProvider"/>, from the latest attempt's start). <see cref="TimeSpan.Zero"/> starts every
    /// hedge at once when the first attempt does not complete synchronously. From zero to about 49.7 days (a timer's
    /// longest wait).
    /// </summary>
    /// <value>The default value is 2 seconds, Polly's.</value>
    public TimeSpan HedgingDelay { get; set; } = HedgingDefaults.Delay;

    /// <summary>
    /// Gets or sets how <see cref="ClusterSelector.ExecuteAsync{TResult}(Func{MemberLease, CancellationToken, ValueTask{TResult}}, CancellationToken)"/>
    /// recognizes that an attempt failed because the member is offline, for exceptions other than
    /// <see cref="MemberOfflineException"/> (which always means offline). For example
    /// <c>ex => ex is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }</c>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: only <see cref="MemberOfflineException"/> means offline.</value>
    public Func<Exception, bool>? IsOfflineException { get; set; }

    /// <summary>A deep copy: later changes to this object or its lists do not show through.</summary>
    internal ClusterOptions Clone()
    {
        var members = new List<ClusterMemberOptions>(Members.Count);
        foreach (ClusterMemberOptions member in Members)
        {
            members.Add(member.Clone());
        }

        return new ClusterOptions
        {
            Members = members,
            ThrottlePolicies = new List<ThrottlePolicy>(ThrottlePolicies),
            Mode = Mode,
            CPUUtilizationPercentageThreshold = CPUUtilizationPercentageThreshold,
            MemoryUtilizationPercentageThreshold = MemoryUtilizationPercentageThreshold,
            ResourceUtilizationAggregationTimeInMinutes = ResourceUtilizationAggregationTimeInMinutes,
            ConcurrentOperationLimitPreview = ConcurrentOperationLimitPreview,
            BypassConcurrentOperationLimit = BypassConcurrentOperationLimit,
            MemberRefusalCoolDown = MemberRefusalCoolDown,
            ThrottlePolicyFailureMode = ThrottlePolicyFailureMode,
            TrackOfflineMembers = TrackOfflineMembers,
            OfflinePenaltyBaseDuration = OfflinePenaltyBaseDuration,
            OfflinePenaltyMaxDuration = OfflinePenaltyMaxDuration,
            OfflinePenaltyJitter = OfflinePenaltyJitter,
            SlowStartWindow = SlowStartWindow,
            MaxHedgedAttempts = MaxHedgedAttempts,
            HedgingDelay = HedgingDelay,
            SlowStartMinimumPercentage = SlowStartMinimumPercentage,
            IsOfflineException = IsOfflineException,
        };
    }
}
