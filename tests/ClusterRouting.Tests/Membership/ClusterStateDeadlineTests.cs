using ClusterRouting.Tests.TestSupport;
using FakeTimeProvider = Microsoft.Extensions.Time.Testing.FakeTimeProvider;

namespace ClusterRouting.Tests.Membership;

/// <summary>
/// <see cref="ClusterState.Commit_NeedsLock"/> arms the timer for the earliest moment a member's verdict can change
/// without new data. A verdict whose deadline is set by a report that changes only the loads (an admitted member's
/// samples) is stored without a republish; its deadline must still be honoured, or a member whose average crosses its
/// threshold when an old sample leaves the window keeps being selected, and a timer armed for a deadline that has
/// already passed fires every millisecond.
/// </summary>
public class ClusterStateDeadlineTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Commit_AdmittedMemberWithSamples_ArmsTheTimerForTheSampleExpiry()
    {
        using ClusterSelector cluster = Create();

        cluster.ReportUtilization("gw-0", 50, 10);

        TimeSpan? verdictDeadline = cluster.Snapshot.Members[0].State.Throttle.Verdict.Deadline;
        Assert.Equal(TimeSpan.FromMinutes(5), verdictDeadline);
        Assert.Equal(verdictDeadline, cluster.State.TimerDue);
    }

    [Fact]
    public void Select_OldLowSampleLeavesTheWindow_MemberOverItsThresholdIsNoLongerSelected()
    {
        using ClusterSelector cluster = Create();
        cluster.ReportUtilization("gw-0", 50, 10); // average 50: admitted
        _time.Advance(TimeSpan.FromMinutes(4));
        cluster.ReportUtilization("gw-0", 100, 10); // average 75: still admitted
        Assert.Equal("gw-0", cluster.SelectOnce());

        _time.Advance(TimeSpan.FromMinutes(1)); // the 50 leaves the window: the average is 100, over 80

        Assert.Equal("gw-1", cluster.SelectOnce());
    }

    [Fact]
    public void Commit_DeadlinePassedAndTheNewVerdictOnlyChangesTheLoads_ArmsTheTimerInTheFuture()
    {
        var counting = new CountingTimeProvider(_time);
        using ClusterSelector cluster = Create(counting);
        cluster.ReportUtilization("gw-0", 90, 10); // throttled: the snapshot's deadline is the sample's expiry, 5 min
        _time.Advance(TimeSpan.FromMinutes(1));
        cluster.ReportUtilization("gw-0", 10, 10); // average 50: admitted, republished, deadline still 5 min
        Assert.Equal(TimeSpan.FromMinutes(5), cluster.State.TimerDue);

        // At 5 min the first sample leaves the window: the average drops to 10, still admitted (only the loads change),
        // and the next deadline is 6 min, when the second sample leaves.
        _time.Advance(TimeSpan.FromMinutes(4));

        Assert.True(
            cluster.State.TimerDue is not TimeSpan due || due > cluster.State.Clock.Now,
            $"the timer is armed for {cluster.State.TimerDue} at {cluster.State.Clock.Now}: a moment already passed");
    }

    [Fact]
    public void Timer_DeadlinePassedAndTheNewVerdictOnlyChangesTheLoads_DoesNotFireEveryMillisecond()
    {
        var counting = new CountingTimeProvider(_time);
        using ClusterSelector cluster = Create(counting);
        cluster.ReportUtilization("gw-0", 90, 10);
        _time.Advance(TimeSpan.FromMinutes(1));
        cluster.ReportUtilization("gw-0", 10, 10);
        _time.Advance(TimeSpan.FromMinutes(4)); // the timer fires once, at 5 min
        int firedBefore = counting.Fired;

        for (int i = 0; i < 1_000; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(1)); // one more second, in real timer steps; nothing is due until 6 min
        }

        Assert.Equal(0, counting.Fired - firedBefore);
    }

    private ClusterSelector Create(TimeProvider? time = null)
    {
        ClusterOptions options = Clusters.Options(2);
        options.CPUUtilizationPercentageThreshold = 80;
        return new ClusterSelector("deadline", options, time ?? _time);
    }

    /// <summary>A clock that counts how many times its timers fire.</summary>
    private sealed class CountingTimeProvider(TimeProvider clock) : TimeProvider
    {
        private int _fired;

        public int Fired => Volatile.Read(ref _fired);

        public override long GetTimestamp() => clock.GetTimestamp();

        public override long TimestampFrequency => clock.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            clock.CreateTimer(
                s =>
                {
                    Interlocked.Increment(ref _fired);
                    callback(s);
                },
                state,
                dueTime,
                period);
    }
}
