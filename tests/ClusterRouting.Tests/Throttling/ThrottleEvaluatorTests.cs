using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterRouting.Tests.Throttling;

/// <summary>
/// <see cref="ThrottleEvaluator"/> on its own: which policies run and in what order, how their decisions fold into one
/// verdict and its deadline, what a throwing policy does, and that a verdict that did not change is not rebuilt.
/// </summary>
public class ThrottleEvaluatorTests
{
    private const string Member = "gw-0";

    private readonly MemberThrottle _throttle = new();
    private readonly List<ClusterEvent> _events = [];
    private readonly CallbackFailures _failures = new("test", NullLogger.Instance);
    private TimeSpan _window = TimeSpan.FromMinutes(ThrottlingDefaults.AggregationTimeInMinutes);

    [Fact]
    public void From_CopiesTheWindowAndTheCoolDown()
    {
        ThrottleEvaluator evaluator = ThrottleEvaluator.From(new ClusterOptions
        {
            ResourceUtilizationAggregationTimeInMinutes = 3,
            MemberRefusalCoolDown = TimeSpan.FromSeconds(12),
        });

        Assert.Equal(TimeSpan.FromMinutes(3), evaluator.Window);
        Assert.Equal(TimeSpan.FromSeconds(12), evaluator.RefusalCoolDown);
    }

    [Fact]
    public void Evaluate_CpuThresholdZero_HighCpuIsNotThrottled()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.CPUUtilizationPercentageThreshold = 0);
        Sample(100, 100);

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(MemberRejectionReason.None, verdict.Rejection);
        Assert.Equal(100, verdict.CpuPercent);
    }

    [Fact]
    public void Evaluate_CpuThresholdOn_AverageAtTheThreshold_ThrottlesForCpu()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.CPUUtilizationPercentageThreshold = 80);
        Sample(70, 10);
        Sample(90, 10);

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(MemberRejectionReason.CpuLimit, verdict.Rejection);
        Assert.Null(verdict.RejectedBy);
        Assert.Equal(80, verdict.CpuPercent);
    }

    [Fact]
    public void Evaluate_MemoryThresholdOn_AverageOver_ThrottlesForMemory()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.MemoryUtilizationPercentageThreshold = 50);
        Sample(10, 60);

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(MemberRejectionReason.MemoryLimit, verdict.Rejection);
        Assert.Equal(60, verdict.MemoryPercent);
    }

    [Fact]
    public void Evaluate_ConcurrencyLimitOn_LimitsConcurrency()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.ConcurrentOperationLimitPreview = 7);

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(MemberRejectionReason.None, verdict.Rejection);
        Assert.Equal(7, verdict.ConcurrencyLimit);
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, verdict.ConcurrencyReason);
        Assert.Null(verdict.ConcurrencyPolicy);
    }

    [Fact]
    public void Evaluate_ConcurrencyLimitBypassed_NoLimit()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.BypassConcurrentOperationLimit = true);

        MemberVerdict verdict = Evaluate(evaluator, inFlight: 10_000);

        Assert.Equal(int.MaxValue, verdict.ConcurrencyLimit);
        Assert.Same(MemberVerdict.Unrestricted, verdict);
    }

    [Fact]
    public void Evaluate_BuiltInAndCustomBothThrottle_TheBuiltInNamesTheRejection()
    {
        var custom = new StubPolicy("mine", ThrottleDecision.Throttle());
        ThrottleEvaluator evaluator = Evaluator(o =>
        {
            o.CPUUtilizationPercentageThreshold = 80;
            o.ThrottlePolicies.Add(custom);
        });
        Sample(90, 10);

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(MemberRejectionReason.CpuLimit, verdict.Rejection);
        Assert.Null(verdict.RejectedBy);
        Assert.Equal(1, custom.Calls); // custom policies still run after a built-in one throttled
    }

    [Fact]
    public void Evaluate_OnlyACustomPolicyThrottles_ItNamesTheRejection()
    {
        ThrottleEvaluator evaluator = Evaluator(o =>
        {
            o.CPUUtilizationPercentageThreshold = 80;
            o.ThrottlePolicies.Add(new StubPolicy("admits", ThrottleDecision.Admit));
            o.ThrottlePolicies.Add(new StubPolicy("first", ThrottleDecision.Throttle()));
            o.ThrottlePolicies.Add(new StubPolicy("second", ThrottleDecision.Throttle()));
        });
        Sample(50, 10);

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(MemberRejectionReason.PolicyLimit, verdict.Rejection);
        Assert.Equal("first", verdict.RejectedBy);
    }

    [Fact]
    public void Evaluate_CustomPolicyOfABuiltInKind_ThrottlesWithThatKindsReason_AndNoName()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.ThrottlePolicies.Add(new StubPolicy("memory-ish", ThrottleDecision.Throttle(), ThrottleLimitKind.Memory)));

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(MemberRejectionReason.MemoryLimit, verdict.Rejection);
        Assert.Null(verdict.RejectedBy);
    }

    [Fact]
    public void Evaluate_RefusalHolds_TheRefusalNamesTheRejectionFirst()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.CPUUtilizationPercentageThreshold = 80);
        Sample(95, 10);
        _throttle.Refuse_NeedsLock(ThrottleLimitKind.Memory, TimeSpan.FromSeconds(30));

        MemberVerdict verdict = Evaluate(evaluator, now: TimeSpan.FromSeconds(10));

        Assert.Equal(MemberRejectionReason.MemoryLimit, verdict.Rejection);
        Assert.Equal(TimeSpan.FromSeconds(30), verdict.RetryAt);
        Assert.Null(verdict.RejectedBy);
    }

    [Fact]
    public void Evaluate_RefusalOver_ThePoliciesDecide()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.CPUUtilizationPercentageThreshold = 80);
        Sample(95, 10);
        _throttle.Refuse_NeedsLock(ThrottleLimitKind.Memory, TimeSpan.FromSeconds(30));

        MemberVerdict verdict = Evaluate(evaluator, now: TimeSpan.FromSeconds(30));

        Assert.Equal(MemberRejectionReason.CpuLimit, verdict.Rejection);
    }

    [Fact]
    public void Evaluate_SeveralConcurrencyLimits_TheSmallestWinsWithItsReasonAndPolicy()
    {
        ThrottleEvaluator evaluator = Evaluator(o =>
        {
            o.ConcurrentOperationLimitPreview = 40;
            o.ThrottlePolicies.Add(new StubPolicy("twelve", ThrottleDecision.LimitConcurrency(12)));
            o.ThrottlePolicies.Add(new StubPolicy("five", ThrottleDecision.LimitConcurrency(5)));
            o.ThrottlePolicies.Add(new StubPolicy("also-five", ThrottleDecision.LimitConcurrency(5)));
            o.ThrottlePolicies.Add(new StubPolicy("fifty", ThrottleDecision.LimitConcurrency(50)));
        });

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(5, verdict.ConcurrencyLimit);
        Assert.Equal(MemberRejectionReason.PolicyLimit, verdict.ConcurrencyReason);
        Assert.Equal("five", verdict.ConcurrencyPolicy);
        Assert.Equal(MemberRejectionReason.None, verdict.Rejection);
    }

    [Fact]
    public void Evaluate_CustomLimitAboveTheBuiltIn_TheBuiltInWins()
    {
        ThrottleEvaluator evaluator = Evaluator(o =>
        {
            o.ConcurrentOperationLimitPreview = 40;
            o.ThrottlePolicies.Add(new StubPolicy("fifty", ThrottleDecision.LimitConcurrency(50)));
        });

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(40, verdict.ConcurrencyLimit);
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, verdict.ConcurrencyReason);
        Assert.Null(verdict.ConcurrencyPolicy);
    }

    [Fact]
    public void Evaluate_PassesTheMembersLoadToThePolicies()
    {
        var policy = new StubPolicy("recorder", ThrottleDecision.Admit);
        ThrottleEvaluator evaluator = Evaluator(o =>
        {
            o.ResourceUtilizationAggregationTimeInMinutes = 1;
            o.ThrottlePolicies.Add(policy);
        });
        Sample(30, 60, at: TimeSpan.Zero);
        Sample(50, 80, at: TimeSpan.FromSeconds(20));

        Evaluate(evaluator, inFlight: 3, now: TimeSpan.FromSeconds(25));

        MemberLoad load = Assert.Single(policy.Loads);
        Assert.Equal(Member, load.MemberId);
        Assert.Equal(40, load.CpuPercent);
        Assert.Equal(70, load.MemoryPercent);
        Assert.Equal(2, load.SampleCount);
        Assert.Equal(TimeSpan.FromMinutes(1), load.Window);
        Assert.Equal(TimeSpan.FromSeconds(35), load.NextSampleExpiry); // the t=0 bucket leaves the window at 60 s
        Assert.Equal(3, load.InFlight);
    }

    [Fact]
    public void Evaluate_NoSamples_DeadlineIsNull()
    {
        ThrottleEvaluator evaluator = Evaluator();

        Assert.Null(Evaluate(evaluator).Deadline);
    }

    [Fact]
    public void Evaluate_SamplesOnly_DeadlineIsWhenTheOldestLeavesTheWindow()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.ResourceUtilizationAggregationTimeInMinutes = 1);
        Sample(30, 60, at: TimeSpan.FromSeconds(2));

        MemberVerdict verdict = Evaluate(evaluator, now: TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.FromSeconds(62), verdict.Deadline);
    }

    [Fact]
    public void Evaluate_RefusalEndsBeforeTheSamplesExpire_DeadlineIsTheRefusalEnd()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.ResourceUtilizationAggregationTimeInMinutes = 1);
        Sample(30, 60);
        _throttle.Refuse_NeedsLock(ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(30), Evaluate(evaluator).Deadline);
    }

    [Fact]
    public void Evaluate_PolicyRetryAfter_IsTheRetryAtAndTheDeadline()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.ThrottlePolicies.Add(new StubPolicy("p", ThrottleDecision.Throttle(TimeSpan.FromSeconds(10)))));

        MemberVerdict verdict = Evaluate(evaluator, now: TimeSpan.FromSeconds(5));

        Assert.Equal(TimeSpan.FromSeconds(15), verdict.RetryAt);
        Assert.Equal(TimeSpan.FromSeconds(15), verdict.Deadline);
    }

    [Fact]
    public void Evaluate_PolicyRetryAfterZero_DeadlineIsFlooredAtTheMinimumRecheck()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.ThrottlePolicies.Add(new StubPolicy("p", ThrottleDecision.Throttle(TimeSpan.Zero))));
        TimeSpan now = TimeSpan.FromSeconds(5);

        MemberVerdict verdict = Evaluate(evaluator, now: now);

        Assert.Equal(TimeSpan.FromMilliseconds(100), ThrottlingDefaults.MinimumRecheck);
        Assert.Equal(now, verdict.RetryAt);
        Assert.Equal(now + ThrottlingDefaults.MinimumRecheck, verdict.Deadline);
    }

    [Fact]
    public void Evaluate_PolicyWithoutRetryAfter_AddsNoDeadline()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.ThrottlePolicies.Add(new StubPolicy("p", ThrottleDecision.Throttle())));

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(MemberRejectionReason.PolicyLimit, verdict.Rejection);
        Assert.Null(verdict.RetryAt);
        Assert.Null(verdict.Deadline);
    }

    [Fact]
    public void Evaluate_SeveralThrottlingPolicies_TheFirstNamesTheRetry_TheEarliestSetsTheDeadline()
    {
        ThrottleEvaluator evaluator = Evaluator(o =>
        {
            o.ThrottlePolicies.Add(new StubPolicy("late", ThrottleDecision.Throttle(TimeSpan.FromSeconds(20))));
            o.ThrottlePolicies.Add(new StubPolicy("soon", ThrottleDecision.Throttle(TimeSpan.FromSeconds(3))));
            o.ThrottlePolicies.Add(new StubPolicy("unknown", ThrottleDecision.Throttle()));
        });

        MemberVerdict verdict = Evaluate(evaluator, now: TimeSpan.FromSeconds(1));

        Assert.Equal("late", verdict.RejectedBy);
        Assert.Equal(TimeSpan.FromSeconds(21), verdict.RetryAt);
        Assert.Equal(TimeSpan.FromSeconds(4), verdict.Deadline);
    }

    [Fact]
    public void Evaluate_PolicyRetryAfterHuge_SaturatesTheDeadline()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.ThrottlePolicies.Add(new StubPolicy("p", ThrottleDecision.Throttle(TimeSpan.MaxValue))));

        MemberVerdict verdict = Evaluate(evaluator, now: TimeSpan.FromDays(3));

        Assert.Equal(TimeSpan.MaxValue, verdict.RetryAt);
        Assert.Equal(TimeSpan.MaxValue, verdict.Deadline);
    }

    [Fact]
    public void Evaluate_ConcurrencyLimitingPolicy_AddsNoDeadline()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.ThrottlePolicies.Add(new StubPolicy("p", ThrottleDecision.LimitConcurrency(2))));

        Assert.Null(Evaluate(evaluator).Deadline);
    }

    [Theory]
    [InlineData(ThrottlePolicyFailureMode.FailOpen, MemberRejectionReason.None)]
    [InlineData(ThrottlePolicyFailureMode.FailClosed, MemberRejectionReason.PolicyLimit)]
    public void Evaluate_PolicyEvaluateThrows_CountedQueuedAndHandledByTheFailureMode(ThrottlePolicyFailureMode mode, MemberRejectionReason expected)
    {
        var policy = new FaultyPolicy { EvaluateThrows = true };
        ThrottleEvaluator evaluator = Evaluator(o =>
        {
            o.ThrottlePolicyFailureMode = mode;
            o.ThrottlePolicies.Add(policy);
        });

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(expected, verdict.Rejection);
        Assert.Equal(expected == MemberRejectionReason.None ? null : "thrower", verdict.RejectedBy);
        Assert.Null(verdict.RetryAt);
        Assert.Equal(1, _failures.CountOf(CallbackKind.ThrottlePolicy));
        var failed = Assert.IsType<ThrottlePolicyFailedEvent>(Assert.Single(_events));
        Assert.Equal(Member, failed.MemberId);
        Assert.Equal("thrower", failed.PolicyName);
        Assert.Equal(mode, failed.FailureMode);
        Assert.Equal("Evaluate", failed.Exception.Message);
    }

    [Theory]
    [InlineData(ThrottlePolicyFailureMode.FailOpen, MemberRejectionReason.None)]
    [InlineData(ThrottlePolicyFailureMode.FailClosed, MemberRejectionReason.PolicyLimit)]
    public void Evaluate_PolicyKindThrows_CountedQueuedAndHandledByTheFailureMode(ThrottlePolicyFailureMode mode, MemberRejectionReason expected)
    {
        var policy = new FaultyPolicy { KindThrows = true, Decision = ThrottleDecision.Throttle() };
        ThrottleEvaluator evaluator = Evaluator(o =>
        {
            o.ThrottlePolicyFailureMode = mode;
            o.ThrottlePolicies.Add(policy);
        });

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(expected, verdict.Rejection);
        Assert.Equal(1, _failures.CountOf(CallbackKind.ThrottlePolicy));
        var failed = Assert.IsType<ThrottlePolicyFailedEvent>(Assert.Single(_events));
        Assert.Equal("Kind", failed.Exception.Message);
        Assert.Equal("thrower", failed.PolicyName);
    }

    [Fact]
    public void Evaluate_PolicyEvaluateAndNameThrow_TheEventNamesTheType_AndEveryThrowIsCounted()
    {
        var policy = new FaultyPolicy { EvaluateThrows = true, NameThrows = true };
        ThrottleEvaluator evaluator = Evaluator(o =>
        {
            o.ThrottlePolicyFailureMode = ThrottlePolicyFailureMode.FailClosed;
            o.ThrottlePolicies.Add(policy);
        });

        MemberVerdict verdict = Evaluate(evaluator);

        var failed = Assert.IsType<ThrottlePolicyFailedEvent>(Assert.Single(_events));
        Assert.Equal(nameof(FaultyPolicy), failed.PolicyName);
        Assert.Equal(nameof(FaultyPolicy), verdict.RejectedBy);
        Assert.Equal(MemberRejectionReason.PolicyLimit, verdict.Rejection);

        // Evaluate threw once, and Name each time it was read (for the event, then for the verdict).
        Assert.Equal(3, _failures.CountOf(CallbackKind.ThrottlePolicy));
    }

    [Fact]
    public void Evaluate_OnlyNameThrows_TheDecisionStandsUnderTheTypeName_NoEvent()
    {
        var policy = new FaultyPolicy { NameThrows = true, Decision = ThrottleDecision.Throttle() };
        ThrottleEvaluator evaluator = Evaluator(o => o.ThrottlePolicies.Add(policy));

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(MemberRejectionReason.PolicyLimit, verdict.Rejection);
        Assert.Equal(nameof(FaultyPolicy), verdict.RejectedBy);
        Assert.Equal(1, _failures.CountOf(CallbackKind.ThrottlePolicy));
        Assert.Empty(_events);
    }

    [Fact]
    public void Evaluate_OnePolicyThrows_TheOthersStillDecide()
    {
        ThrottleEvaluator evaluator = Evaluator(o =>
        {
            o.ThrottlePolicies.Add(new FaultyPolicy { EvaluateThrows = true });
            o.ThrottlePolicies.Add(new StubPolicy("after", ThrottleDecision.LimitConcurrency(3)));
        });

        MemberVerdict verdict = Evaluate(evaluator);

        Assert.Equal(3, verdict.ConcurrencyLimit);
        Assert.Equal("after", verdict.ConcurrencyPolicy);
    }

    [Fact]
    public void Evaluate_IgnoreSamples_EvaluatesAsIfTheWindowWereEmpty()
    {
        var policy = new StubPolicy("recorder", ThrottleDecision.Admit);
        ThrottleEvaluator evaluator = Evaluator(o =>
        {
            o.CPUUtilizationPercentageThreshold = 80;
            o.ThrottlePolicies.Add(policy);
        });
        Sample(95, 95);

        MemberVerdict verdict = Evaluate(evaluator, ignoreSamples: true);

        Assert.Equal(MemberRejectionReason.None, verdict.Rejection);
        Assert.Null(verdict.CpuPercent);
        Assert.Null(verdict.MemoryPercent);
        Assert.Null(verdict.Deadline);
        MemberLoad load = Assert.Single(policy.Loads);
        Assert.Equal(0, load.SampleCount);
        Assert.Null(load.NextSampleExpiry);
    }

    [Fact]
    public void Evaluate_NothingChanged_ReturnsThePreviousVerdictInstance()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.CPUUtilizationPercentageThreshold = 80);
        Sample(85, 10);
        MemberVerdict first = Evaluate(evaluator);
        _throttle.Apply_NeedsLock(first, Member, _events);

        MemberVerdict second = Evaluate(evaluator, now: TimeSpan.FromSeconds(1));

        Assert.Same(first, second);
    }

    [Fact]
    public void Evaluate_OnlyTheLoadChanged_ReturnsANewVerdict()
    {
        ThrottleEvaluator evaluator = Evaluator(o => o.CPUUtilizationPercentageThreshold = 80);
        Sample(50, 10);
        MemberVerdict first = Evaluate(evaluator);
        _throttle.Apply_NeedsLock(first, Member, _events);
        Sample(60, 10);

        MemberVerdict second = Evaluate(evaluator);

        Assert.NotSame(first, second);
        Assert.Equal(55, second.CpuPercent);
        Assert.True(first.RoutesLike(second));
    }

    private ThrottleEvaluator Evaluator(Action<ClusterOptions>? configure = null)
    {
        var options = new ClusterOptions();
        configure?.Invoke(options);
        var evaluator = ThrottleEvaluator.From(options);
        _window = evaluator.Window;
        return evaluator;
    }

    /// <summary>Adds a sample on the window of the evaluator made last, as the cluster does.</summary>
    private void Sample(double cpu, double memory, TimeSpan at = default) => _throttle.AddSample_NeedsLock(at, cpu, memory, _window);

    private MemberVerdict Evaluate(ThrottleEvaluator evaluator, int inFlight = 0, TimeSpan now = default, bool ignoreSamples = false) =>
        evaluator.Evaluate(Member, _throttle, ignoreSamples, inFlight, now, _events, _failures);
}

/// <summary>A policy that always decides the same, and records what it was shown.</summary>
internal sealed class StubPolicy(string name, ThrottleDecision decision, ThrottleLimitKind kind = ThrottleLimitKind.Custom, bool recordLoads = true) : ThrottlePolicy
{
    public override string Name => name;

    public override ThrottleLimitKind Kind => kind;

    public List<MemberLoad> Loads { get; } = [];

    public int Calls { get; private set; }

    public override ThrottleDecision Evaluate(in MemberLoad load)
    {
        Calls++;
        if (recordLoads)
        {
            Loads.Add(load);
        }

        return decision;
    }
}

/// <summary>A policy whose <c>Evaluate</c>, <c>Name</c> or <c>Kind</c> throws, as configured.</summary>
internal sealed class FaultyPolicy : ThrottlePolicy
{
    public bool EvaluateThrows { get; init; }

    public bool NameThrows { get; init; }

    public bool KindThrows { get; init; }

    public ThrottleDecision Decision { get; init; }

    public override string Name => NameThrows ? throw new InvalidOperationException("Name") : "thrower";

    public override ThrottleLimitKind Kind => KindThrows ? throw new InvalidOperationException("Kind") : ThrottleLimitKind.Custom;

    public override ThrottleDecision Evaluate(in MemberLoad load) =>
        EvaluateThrows ? throw new InvalidOperationException("Evaluate") : Decision;
}
