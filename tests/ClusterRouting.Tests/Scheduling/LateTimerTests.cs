using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Scheduling;

/// <summary>
/// Expiries do not wait for the timer: a selection about to fail honours the deadlines that have already passed, so a
/// starved thread pool (whose timer callbacks run late) cannot hold a member out. The clock here moves, but its timers
/// never fire, as if the pool never got to them. Regression: with the pool busy, a 100 ms cool-down lifted after about
/// 1 s, and 8 workers retrying on a throttled cluster kept it throttled almost permanently (49 successes in 25 s).
/// </summary>
public class LateTimerTests
{
    private readonly FakeTimeProvider _clock = new();
    private readonly StalledTimers _time;

    public LateTimerTests()
    {
        _time = new StalledTimers(_clock);
    }

    [Fact]
    public void CoolDownOver_TimerNotRun_TheNextSelectionGetsTheMember()
    {
        using ClusterSelector cluster = Create(1);
        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromMilliseconds(100));
        Assert.Null(cluster.SelectOnce());

        _clock.Advance(TimeSpan.FromMilliseconds(100));

        Assert.Equal("gw-0", cluster.SelectOnce());
        Assert.Equal(MemberRejectionReason.None, cluster.GetStatus().Members[0].Throttle);
    }

    [Fact]
    public void PenaltyOver_TimerNotRun_TheProbeGoesOut()
    {
        using ClusterSelector cluster = Create(1, o => o.OfflinePenaltyJitter = 0);
        cluster.ReportOffline("gw-0");
        using (MemberLease penalized = cluster.Select())
        {
            Assert.False(penalized.IsProbe); // penalized members are still tried, last
        }

        _clock.Advance(TimeSpan.FromSeconds(5));

        using MemberLease probe = cluster.Select();
        Assert.True(probe.IsProbe);
    }

    [Fact]
    public void WindowExpired_TimerNotRun_PrimaryOnlySelectionGetsThePrimary()
    {
        using ClusterSelector cluster = Create(2, o =>
        {
            o.CPUUtilizationPercentageThreshold = 80;
            o.ResourceUtilizationAggregationTimeInMinutes = 1;
        });
        cluster.ReportUtilization("gw-0", 95, 10);
        Assert.False(cluster.TrySelectPrimary(out _, out _));

        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.True(cluster.TrySelectPrimary(out MemberLease lease, out _));
        lease.Dispose();
    }

    [Fact]
    public void DeadlineNotPassed_FailingSelection_StillFails()
    {
        using ClusterSelector cluster = Create(1);
        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Memory, TimeSpan.FromSeconds(1));

        _clock.Advance(TimeSpan.FromMilliseconds(999));

        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));
        Assert.Equal(MemberRejectionReason.MemoryLimit, failure.GetRejection(0).Reason);
        Assert.Equal(TimeSpan.FromMilliseconds(1), failure.GetRejection(0).RetryAfter);
    }

    /// <summary>A hedge is sent only to a member that can take it now: one whose cool-down ended counts, timer or not.</summary>
    [Fact]
    public void HedgeSelection_CoolDownOver_TimerNotRun_GetsTheMember()
    {
        using ClusterSelector cluster = Create(2);
        cluster.ReportRefusal("gw-1", ThrottleLimitKind.Cpu, TimeSpan.FromMilliseconds(100));
        Assert.False(cluster.TrySelectHedge(new ExcludeIds(["gw-0"]), out _));

        _clock.Advance(TimeSpan.FromMilliseconds(100));

        Assert.True(cluster.TrySelectHedge(new ExcludeIds(["gw-0"]), out MemberLease hedge));
        Assert.Equal("gw-1", hedge.MemberId);
        hedge.Dispose();
    }

    /// <summary>
    /// A primary-only selection that succeeds at once takes one slot, even when another member's deadline has passed
    /// meanwhile: bringing the cluster up to date is for a selection that would fail, never a second take.
    /// </summary>
    [Fact]
    public void PrimarySelection_Succeeds_WhileAnotherDeadlinePassed_TakesOneSlot()
    {
        using ClusterSelector cluster = Create(2);
        cluster.ReportRefusal("gw-1", ThrottleLimitKind.Cpu, TimeSpan.FromMilliseconds(100));
        _clock.Advance(TimeSpan.FromMilliseconds(100));

        Assert.True(cluster.TrySelectPrimary(out MemberLease lease, out _));
        Assert.Equal(1, cluster.GetStatus().Members[0].InFlight);

        lease.Dispose();
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
    }

    private ClusterSelector Create(int members, Action<ClusterOptions>? configure = null)
    {
        ClusterOptions options = Clusters.Options(members);
        configure?.Invoke(options);
        return new ClusterSelector("late", options, _time);
    }

    /// <summary>A clock whose timers never fire.</summary>
    private sealed class StalledTimers(TimeProvider clock) : TimeProvider
    {
        public override long GetTimestamp() => clock.GetTimestamp();

        public override long TimestampFrequency => clock.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Stalled();

        private sealed class Stalled : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => default;
        }
    }
}
