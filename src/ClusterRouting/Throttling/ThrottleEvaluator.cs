namespace ClusterRouting;

/// <summary>
/// Turns what is known of a member (its samples, its refusal, its operations in flight) into a verdict, by running the
/// cluster's throttle policies: the built-in CPU, memory and concurrency limits that are on, then the custom ones. A
/// refusal for CPU or memory keeps the member out until it ends; one for concurrency caps what this cluster may keep on
/// the member at what it had there less the refused operation (out only when that is nothing).
/// Every deadline goes into the verdict: when samples leave the window, when the refusal ends, and when each throttling
/// policy said to retry, so the cluster's timer re-evaluates the member then without waiting for new data. A policy
/// that throws (in <c>Evaluate</c>, <c>Name</c> or <c>Kind</c>) is counted, logged as <c>ThrottlePolicyFailed</c> and
/// handled as <see cref="ClusterOptions.ThrottlePolicyFailureMode"/> says. Immutable: one per applied configuration.
/// </summary>
internal sealed class ThrottleEvaluator
{
    private readonly ThrottlePolicy[] _policies;
    private readonly ThrottlePolicyFailureMode _failureMode;

    private ThrottleEvaluator(ThrottlePolicy[] policies, TimeSpan window, TimeSpan refusalCoolDown, ThrottlePolicyFailureMode failureMode)
    {
        _policies = policies;
        Window = window;
        RefusalCoolDown = refusalCoolDown;
        _failureMode = failureMode;
    }

    /// <summary>Gets the aggregation window (ResourceUtilizationAggregationTimeInMinutes).</summary>
    public TimeSpan Window { get; }

    /// <summary>Gets how long a refusal holds when the member did not say (MemberRefusalCoolDown).</summary>
    public TimeSpan RefusalCoolDown { get; }

    /// <summary>The evaluator for validated <paramref name="options"/>.</summary>
    public static ThrottleEvaluator From(ClusterOptions options)
    {
        var policies = new List<ThrottlePolicy>();
        if (options.CPUUtilizationPercentageThreshold > 0)
        {
            policies.Add(UtilizationThrottlePolicy.Cpu(options.CPUUtilizationPercentageThreshold));
        }

        if (options.MemoryUtilizationPercentageThreshold > 0)
        {
            policies.Add(UtilizationThrottlePolicy.Memory(options.MemoryUtilizationPercentageThreshold));
        }

        if (!options.BypassConcurrentOperationLimit)
        {
            policies.Add(new ConcurrencyThrottlePolicy(options.ConcurrentOperationLimitPreview));
        }

        policies.AddRange(options.ThrottlePolicies);
        return new ThrottleEvaluator(
            policies.ToArray(),
            TimeSpan.FromMinutes(options.ResourceUtilizationAggregationTimeInMinutes),
            options.MemberRefusalCoolDown,
            options.ThrottlePolicyFailureMode);
    }

    /// <summary>Evaluates one member at <paramref name="now"/>. Changes nothing but the failure counts and <paramref name="events"/>.</summary>
    /// <param name="memberId">The member's id.</param>
    /// <param name="throttle">The member's samples and refusal.</param>
    /// <param name="ignoreSamples">Whether to evaluate as if the window were empty (a new window is about to replace it).</param>
    /// <param name="inFlight">The member's operations in flight.</param>
    /// <param name="now">The cluster's clock.</param>
    /// <param name="events">Where a failing policy's <c>ThrottlePolicyFailed</c> is queued.</param>
    /// <param name="failures">Where a failing policy is counted.</param>
    public MemberVerdict Evaluate(string memberId, MemberThrottle throttle, bool ignoreSamples, int inFlight, TimeSpan now, List<ClusterEvent> events, CallbackFailures failures)
    {
        UtilizationWindow.Aggregate aggregate = ignoreSamples ? default : throttle.Utilization?.Compute(now) ?? default;
        var load = new MemberLoad(memberId, aggregate.CpuPercent, aggregate.MemoryPercent, aggregate.SampleCount, Window, aggregate.ExpiresAt - now, inFlight);
        var verdict = new VerdictBuilder(aggregate.ExpiresAt);
        if (throttle.RefusedUntil > now && throttle.RefusedConcurrencyCap > 0)
        {
            // The member is full, and other routers share it: keep to what this cluster had there until the refusal
            // ends, rather than leaving it altogether (every router would then move to the same next member at once).
            verdict.LimitConcurrency(throttle.RefusedConcurrencyCap, MemberRejectionReason.ConcurrencyLimit, policyName: null);
            verdict.RecheckAt(throttle.RefusedUntil);
        }
        else if (throttle.RefusedUntil > now)
        {
            verdict.Throttle(ThrottleLimits.ReasonFor(throttle.RefusedFor), policyName: null, throttle.RefusedUntil, throttle.RefusedUntil);
        }

        foreach (ThrottlePolicy policy in _policies)
        {
            ThrottleDecision decision;
            ThrottleLimitKind kind;
            try
            {
                decision = policy.Evaluate(in load);
                kind = policy.Kind;
            }
#pragma warning disable CA1031 // A custom policy's failure must not break the cluster: it is counted, logged and handled by the failure mode.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures.Count(CallbackKind.ThrottlePolicy);
                events.Add(new ThrottlePolicyFailedEvent(ex, memberId, NameOf(policy, failures), _failureMode));
                decision = _failureMode == ThrottlePolicyFailureMode.FailClosed ? ThrottleDecision.Throttle() : ThrottleDecision.Admit;
                kind = ThrottleLimitKind.Custom;
            }

            string? policyName = kind == ThrottleLimitKind.Custom ? NameOf(policy, failures) : null;
            if (decision.IsThrottled)
            {
                TimeSpan? retryAt = decision.RetryAfter is TimeSpan retryAfter ? TimeMath.Add(now, retryAfter) : null;
                TimeSpan? recheck = retryAt is TimeSpan at ? Later(at, TimeMath.Add(now, ThrottlingDefaults.MinimumRecheck)) : null;
                verdict.Throttle(ThrottleLimits.ReasonFor(kind), policyName, retryAt, recheck);
            }

            verdict.LimitConcurrency(decision.ConcurrencyLimit, ThrottleLimits.ReasonFor(kind), policyName);
        }

        return verdict.Build(aggregate.CpuPercent, aggregate.MemoryPercent, throttle.Verdict);
    }

    private static TimeSpan Later(TimeSpan left, TimeSpan right) => TimeSpan.FromTicks(Math.Max(left.Ticks, right.Ticks));

    private static string NameOf(ThrottlePolicy policy, CallbackFailures failures)
    {
        try
        {
            return policy.Name ?? policy.GetType().Name;
        }
#pragma warning disable CA1031 // The name is only for messages; a throwing getter must not break evaluation.
        catch (Exception)
#pragma warning restore CA1031
        {
            failures.Count(CallbackKind.ThrottlePolicy);
            return policy.GetType().Name;
        }
    }

    /// <summary>Folds the decisions of a member's policies: the first throttle names the rejection, the smallest limit wins, every deadline counts.</summary>
    private struct VerdictBuilder(TimeSpan? deadline)
    {
        private MemberRejectionReason _rejection;
        private string? _rejectedBy;
        private TimeSpan? _retryAt;
        private TimeSpan? _deadline = deadline;
        private int _limit = int.MaxValue;
        private MemberRejectionReason _limitReason = MemberRejectionReason.ConcurrencyLimit;
        private string? _limitPolicy;

        public void Throttle(MemberRejectionReason reason, string? policyName, TimeSpan? retryAt, TimeSpan? recheckAt)
        {
            _deadline = TimeMath.Earliest(_deadline, recheckAt);
            if (_rejection == MemberRejectionReason.None)
            {
                _rejection = reason;
                _rejectedBy = policyName;
                _retryAt = retryAt;
            }
        }

        public void RecheckAt(TimeSpan at) => _deadline = TimeMath.Earliest(_deadline, at);

        public void LimitConcurrency(int limit, MemberRejectionReason reason, string? policyName)
        {
            if (limit < _limit)
            {
                _limit = limit;
                _limitReason = reason;
                _limitPolicy = policyName;
            }
        }

        /// <summary>The verdict; <paramref name="previous"/> itself when nothing differs, so a report that changes nothing allocates nothing.</summary>
        public readonly MemberVerdict Build(double? cpuPercent, double? memoryPercent, MemberVerdict previous) =>
            previous.Rejection == _rejection && previous.RejectedBy == _rejectedBy && previous.RetryAt == _retryAt
            && previous.ConcurrencyLimit == _limit && previous.ConcurrencyReason == _limitReason && previous.ConcurrencyPolicy == _limitPolicy
            && MemberVerdict.Same(previous.CpuPercent, cpuPercent) && MemberVerdict.Same(previous.MemoryPercent, memoryPercent) && previous.Deadline == _deadline
                ? previous
                : new(_rejection, _rejectedBy, _retryAt, _limit, _limitReason, _limitPolicy, cpuPercent, memoryPercent, _deadline);
    }
}
