using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Throttling;

/// <summary>
/// Every deadline a policy returns is scheduled: a member throttled by a custom policy with a retry-after is admitted
/// again when it passes, without any new data. (Regression: the member stayed throttled until some unrelated sample
/// arrived; with a fake clock still a day later, with no timer armed.)
/// </summary>
public class PolicyDeadlineTests
{
    private readonly FakeTimeProvider _time = new();

    /// <summary>The README's example: a maintenance window on one member, which says when it ends.</summary>
    private sealed class MaintenanceWindow(TimeProvider time, string memberId, DateTimeOffset end) : ThrottlePolicy
    {
        public int Evaluations { get; private set; }

        public override string Name => "maintenance";

        public override ThrottleDecision Evaluate(in MemberLoad load)
        {
            Evaluations++;
            DateTimeOffset now = time.GetUtcNow();
            return load.MemberId == memberId && now < end ? ThrottleDecision.Throttle(end - now) : ThrottleDecision.Admit;
        }
    }

    [Fact]
    public void Throttle_RetryAfterPasses_MemberIsAdmittedAgainWithoutNewData()
    {
        var window = new MaintenanceWindow(_time, "gw-0", _time.GetUtcNow().AddMinutes(10));
        using ClusterSelector cluster = Create(window);
        Assert.Equal("gw-1", cluster.SelectOnce());
        Assert.Equal(TimeSpan.FromMinutes(10), cluster.State.TimerDue);

        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal("gw-0", cluster.SelectOnce());
        Assert.Equal(MemberRejectionReason.None, cluster.GetStatus().Members[0].Throttle);
        Assert.Null(cluster.State.TimerDue);
    }

    [Fact]
    public void Throttle_EveryMemberThrottledByThePolicy_ExceptionRetryAfterIsTheWindowEnd_AndHoldsItsPromise()
    {
        var window = new MaintenanceWindow(_time, "gw-0", _time.GetUtcNow().AddMinutes(10));
        using ClusterSelector cluster = Create(window, members: 1);
        _time.Advance(TimeSpan.FromMinutes(4));

        var ex = Assert.Throws<ClusterThrottledException>(() => cluster.Select());
        Assert.Equal(TimeSpan.FromMinutes(6), ex.RetryAfter);
        Assert.Equal(ThrottleLimitKind.Custom, ex.Limit);
        Assert.Equal("maintenance", ex.PolicyName);

        _time.Advance(ex.RetryAfter!.Value);
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void Throttle_ADayLater_IsNotStillThrottled()
    {
        var window = new MaintenanceWindow(_time, "gw-0", _time.GetUtcNow().AddHours(1));
        using ClusterSelector cluster = Create(window);

        _time.Advance(TimeSpan.FromDays(1));

        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    /// <summary>A policy that keeps answering "retry after 0" is evaluated again ten times a second, not in a loop.</summary>
    [Fact]
    public void Throttle_RetryAfterZeroForever_IsEvaluatedAtMostTenTimesASecond()
    {
        var zero = new ZeroRetry();
        using ClusterSelector cluster = Create(zero);
        int before = zero.Evaluations;

        for (int i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.InRange(zero.Evaluations - before, 10, 20);
        Assert.Equal("gw-1", cluster.SelectOnce());
    }

    /// <summary>
    /// A verdict whose deadline moves without routing differently (a sample under every threshold) is kept without a new
    /// snapshot; the timer must still be armed for it. Found by the model-based test: the timer was armed from the
    /// snapshot's copy of the verdicts, so the samples' expiry went unscheduled.
    /// </summary>
    [Fact]
    public void SampleUnderTheThresholds_TheTimerIsArmedForTheSamplesExpiry()
    {
        using var cluster = new ClusterSelector("deadlines", new ClusterOptions { Members = { new("gw-0") }, ResourceUtilizationAggregationTimeInMinutes = 1 }, _time);
        Assert.Null(cluster.State.TimerDue);

        cluster.ReportUtilization("gw-0", 10, 10);
        Assert.Equal(TimeSpan.FromMinutes(1), cluster.State.TimerDue);

        _time.Advance(TimeSpan.FromSeconds(30));
        cluster.ReportUtilization("gw-0", 10, 10);
        _time.Advance(TimeSpan.FromSeconds(30)); // the first sample leaves the window; the second is now the oldest

        Assert.Equal(TimeSpan.FromSeconds(90), cluster.State.TimerDue);
        Assert.Equal(10, cluster.GetStatus().Members[0].CpuPercent);
    }

    private ClusterSelector Create(ThrottlePolicy policy, int members = 2)
    {
        var options = new ClusterOptions { ThrottlePolicies = { policy } };
        for (int i = 0; i < members; i++)
        {
            options.Members.Add(new ClusterMemberOptions($"gw-{i}"));
        }

        return new ClusterSelector("deadlines", options, _time);
    }

    private sealed class ZeroRetry : ThrottlePolicy
    {
        public int Evaluations { get; private set; }

        public override string Name => "zero";

        public override ThrottleDecision Evaluate(in MemberLoad load)
        {
            if (load.MemberId != "gw-0")
            {
                return ThrottleDecision.Admit;
            }

            Evaluations++;
            return ThrottleDecision.Throttle(TimeSpan.Zero);
        }
    }
}
