using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Scheduling;

/// <summary>
/// Time is monotonic per cluster: a clock whose timestamp steps back (a fake clock, a custom provider) is clamped, never
/// trusted to index or subtract, and a call that fails changes nothing. Regression: after a step back
/// <c>ReportUtilization</c> threw IndexOutOfRangeException, and <c>ReportOffline</c>/<c>ReportRefusal</c> threw
/// OverflowException after counting the offline result without penalizing.
/// </summary>
public class SteppingClockTests
{
    private readonly SteppingClock _clock = new();

    [Fact]
    public void ClockStepsBackPastTheStart_ReportUtilization_RecordsTheSample()
    {
        using ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = 80);
        _clock.Step(TimeSpan.FromSeconds(-30));

        Assert.True(cluster.ReportUtilization("gw-0", 90, 10));

        MemberStatus status = cluster.GetStatus().Members[0];
        Assert.Equal(90, status.CpuPercent);
        Assert.Equal(MemberRejectionReason.CpuLimit, status.Throttle);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ClockStepsBack_ReportOfflineOrRefusal_AppliesWholly(bool offline)
    {
        using ClusterSelector cluster = Create(o => o.OfflinePenaltyJitter = 0);
        _clock.Step(TimeSpan.FromSeconds(-30));

        Assert.True(offline ? cluster.ReportOffline("gw-0") : cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(5)));

        MemberStatus status = cluster.GetStatus().Members[0];
        if (offline)
        {
            Assert.Equal(MemberHealth.Penalized, status.Health);
            Assert.Equal(1, status.ConsecutiveOfflineResults);
        }
        else
        {
            Assert.Equal(MemberRejectionReason.CpuLimit, status.Throttle);
            Assert.Equal(TimeSpan.FromSeconds(5), status.ThrottleRetryAfter);
        }

        Assert.Equal("gw-1", cluster.SelectOnce());
    }

    [Fact]
    public void ClockStepsBackAfterAPenalty_ThePenaltyStillEndsWhenTheClockCatchesUp()
    {
        using ClusterSelector cluster = Create(o => o.OfflinePenaltyJitter = 0);
        _clock.Step(TimeSpan.FromSeconds(10));
        cluster.ReportOffline("gw-0"); // penalized until 15 s on the cluster's clock

        _clock.Step(TimeSpan.FromSeconds(-8)); // the provider says 2 s: the cluster stays at 10 s
        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[0].Health);
        Assert.Equal(TimeSpan.FromSeconds(10), cluster.State.Clock.Now);

        _clock.Step(TimeSpan.FromSeconds(12)); // 14 s: not yet
        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[0].Health);
        _clock.Step(TimeSpan.FromSeconds(1)); // 15 s
        Assert.Equal(MemberHealth.Probing, cluster.GetStatus().Members[0].Health);
    }

    [Fact]
    public void ClockStepsBack_SamplesAfterwardsCountInTheBucketOfTheLatestTime()
    {
        using ClusterSelector cluster = Create(o => o.ResourceUtilizationAggregationTimeInMinutes = 1);
        _clock.Step(TimeSpan.FromSeconds(50));
        cluster.ReportUtilization("gw-0", 40, 40);
        _clock.Step(TimeSpan.FromSeconds(-40));
        cluster.ReportUtilization("gw-0", 60, 60);

        Assert.Equal(50, cluster.GetStatus().Members[0].CpuPercent);

        // Both samples went into the 50 s bucket: they leave the window together, a minute after it began.
        _clock.Step(TimeSpan.FromSeconds(100));
        Assert.Null(cluster.GetStatus().Members[0].CpuPercent);
    }

    [Fact]
    public void ClockStepsBackDuringASlowStart_TheRampNeitherJumpsNorThrows_AndEndsWhenTheClockCatchesUp()
    {
        using ClusterSelector cluster = Create(o =>
        {
            o.ConcurrentOperationLimitPreview = 40;
            o.SlowStartWindow = TimeSpan.FromSeconds(20);
        });
        Assert.True(cluster.SetMemberEnabled("gw-0", false));
        _clock.Step(TimeSpan.FromSeconds(10));
        Assert.True(cluster.SetMemberEnabled("gw-0", true)); // ramps from 10 s on the cluster's clock: 4 of 40 at first
        Assert.Equal(4, cluster.GetStatus().Members[0].ConcurrencyLimit);

        _clock.Step(TimeSpan.FromSeconds(-8)); // the provider says 2 s: the cluster stays at 10 s, the ramp at its start
        MemberStatus back = cluster.GetStatus().Members[0];
        Assert.Equal(4, back.ConcurrencyLimit);
        Assert.Equal(10, back.SlowStartPercentage);

        _clock.Step(TimeSpan.FromSeconds(18)); // 20 s: half the window
        Assert.Equal(20, cluster.GetStatus().Members[0].ConcurrencyLimit);
        _clock.Step(TimeSpan.FromSeconds(10)); // 30 s: the window is over
        MemberStatus done = cluster.GetStatus().Members[0];
        Assert.Equal(40, done.ConcurrencyLimit);
        Assert.Null(done.SlowStartPercentage);
    }

    private ClusterSelector Create(Action<ClusterOptions>? configure = null)
    {
        ClusterOptions options = Clusters.Options(2);
        configure?.Invoke(options);
        return new ClusterSelector("stepping", options, _clock);
    }

    /// <summary>A clock moved by hand, forwards or backwards; its timers never fire (selections and status catch up).</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private long _ticks = TimeSpan.FromDays(1).Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Volatile.Read(ref _ticks);

        public void Step(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Never();

        private sealed class Never : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => default;
        }
    }
}
