using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterRouting.Tests.Throttling;

/// <summary>
/// The evaluator's steady state: re-evaluating a member whose inputs did not change returns the previous verdict and
/// allocates nothing (<c>VerdictBuilder.Build</c>: "a report that changes nothing allocates nothing").
/// </summary>
[Collection(AllocationGates.Name)]
public class ThrottleEvaluatorAllocationTests
{
    private const string Member = "gw-0";
    private const int WarmUp = 1_000;
    private const int Evaluations = 1_000;

    [Fact]
    public void Evaluate_SteadyInputsWithoutSamples_AllocatesNothing()
    {
        (long allocated, bool same) = MeasureSteady(withSample: false);

        Assert.True(same);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Evaluate_SteadyInputsWithSamples_AllocatesNothing()
    {
        (long allocated, bool same) = MeasureSteady(withSample: true);

        Assert.True(same);
        Assert.Equal(0, allocated);
    }

    private static (long Allocated, bool Same) MeasureSteady(bool withSample)
    {
        var options = new ClusterOptions { CPUUtilizationPercentageThreshold = 80, MemoryUtilizationPercentageThreshold = 90 };
        options.ThrottlePolicies.Add(new StubPolicy("limit", ThrottleDecision.LimitConcurrency(4), recordLoads: false));
        options.ThrottlePolicies.Add(new StubPolicy("throttle", ThrottleDecision.Throttle(TimeSpan.FromSeconds(3)), recordLoads: false));
        var evaluator = ThrottleEvaluator.From(options);
        var throttle = new MemberThrottle();
        var events = new List<ClusterEvent>();
        var failures = new CallbackFailures("test", NullLogger.Instance);
        if (withSample)
        {
            throttle.AddSample_NeedsLock(TimeSpan.Zero, 85, 20, evaluator.Window);
        }

        throttle.Apply_NeedsLock(evaluator.Evaluate(Member, throttle, false, 1, TimeSpan.Zero, events, failures), Member, events);
        MemberVerdict steady = throttle.Verdict;
        bool same = true;
        for (int i = 0; i < WarmUp; i++)
        {
            same &= ReferenceEquals(steady, evaluator.Evaluate(Member, throttle, false, 1, TimeSpan.Zero, events, failures));
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Evaluations; i++)
        {
            same &= ReferenceEquals(steady, evaluator.Evaluate(Member, throttle, false, 1, TimeSpan.Zero, events, failures));
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        return (allocated, same && events.Count == 1); // MemberThrottled, once
    }
}
