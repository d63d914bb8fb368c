namespace ClusterRouting.Tests.Health;

/// <summary>
/// <see cref="PenaltySchedule"/> on its own: base x 2^(n-1), capped at the max, jittered by up to +/- the jitter
/// fraction, and never overflowing however large the settings or the count.
/// </summary>
public class PenaltyScheduleTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(60);

    /// <summary>The largest double below 1: the largest value <see cref="Random.NextDouble"/> returns.</summary>
    private static readonly double JustUnderOne = Math.BitDecrement(1.0);

    [Fact]
    public void From_CopiesTheOptions()
    {
        var options = new ClusterOptions
        {
            TrackOfflineMembers = false,
            OfflinePenaltyBaseDuration = TimeSpan.FromSeconds(2),
            OfflinePenaltyMaxDuration = TimeSpan.FromSeconds(9),
            OfflinePenaltyJitter = 0.3,
        };

        var schedule = PenaltySchedule.From(options);
        options.OfflinePenaltyBaseDuration = TimeSpan.FromSeconds(1);

        Assert.False(schedule.TrackOfflineMembers);
        Assert.Equal(TimeSpan.FromSeconds(2), schedule.BaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(9), schedule.MaxDuration);
        Assert.Equal(0.3, schedule.Jitter);
    }

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(4, 40)]
    [InlineData(5, 60)]
    [InlineData(6, 60)]
    [InlineData(31, 60)]
    [InlineData(32, 60)]
    public void Duration_MiddleDraw_IsBaseTimesTwoToTheNMinusOne_CappedAtTheMax(int n, int expectedSeconds)
    {
        PenaltySchedule schedule = Schedule(Base, Max, jitter: 0.2);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), schedule.Duration(n, 0.5));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(10)]
    public void Duration_NoJitter_IgnoresTheDraw(int n)
    {
        PenaltySchedule schedule = Schedule(Base, Max, jitter: 0);

        Assert.Equal(schedule.Duration(n, 0.5), schedule.Duration(n, 0));
        Assert.Equal(schedule.Duration(n, 0.5), schedule.Duration(n, JustUnderOne));
    }

    [Fact]
    public void Duration_LowestDraw_IsTheLowerJitterBound()
    {
        PenaltySchedule schedule = Schedule(Base, Max, jitter: 0.2);

        Assert.Equal(TimeSpan.FromSeconds(4), schedule.Duration(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(48), schedule.Duration(10, 0)); // the cap, jittered down
    }

    [Fact]
    public void Duration_HighestDraw_IsAtMostTheUpperJitterBound()
    {
        PenaltySchedule schedule = Schedule(Base, Max, jitter: 0.2);

        TimeSpan first = schedule.Duration(1, JustUnderOne);
        TimeSpan capped = schedule.Duration(10, JustUnderOne);

        Assert.InRange(first, TimeSpan.FromSeconds(6) - TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(6));
        Assert.InRange(capped, TimeSpan.FromSeconds(72) - TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(72));
    }

    [Fact]
    public void Duration_FullJitterLowestDraw_IsZeroNotNegative()
    {
        PenaltySchedule schedule = Schedule(Base, Max, jitter: 1);

        Assert.Equal(TimeSpan.Zero, schedule.Duration(1, 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(int.MaxValue)]
    public void Duration_MaxNearTimeSpanMaxValue_SaturatesWithoutOverflow(int n)
    {
        PenaltySchedule schedule = Schedule(TimeSpan.MaxValue / 2, TimeSpan.MaxValue, jitter: 1);

        TimeSpan highest = schedule.Duration(n, JustUnderOne);
        TimeSpan middle = schedule.Duration(n, 0.5);

        Assert.True(highest >= TimeSpan.MaxValue - TimeSpan.FromDays(1), $"highest draw gave {highest}");
        Assert.True(middle >= TimeSpan.MaxValue / 2 - TimeSpan.FromDays(1), $"middle draw gave {middle}");
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(1_000_000)]
    public void Duration_HugeCount_IsTheMax(int n)
    {
        PenaltySchedule schedule = Schedule(Base, Max, jitter: 0.2);

        Assert.Equal(Max, schedule.Duration(n, 0.5));
    }

    [Fact]
    public void Duration_HugeCountWithAHugeCap_StopsDoublingAfterThirtyTimes()
    {
        PenaltySchedule schedule = Schedule(TimeSpan.FromMilliseconds(1), TimeSpan.MaxValue, jitter: 0);

        TimeSpan duration = schedule.Duration(int.MaxValue, 0.5);

        // 1 ms x 2^30 is about 12.4 days: below the cap, and far from overflowing.
        Assert.Equal(TimeSpan.FromMilliseconds(1L << 30), duration);
    }

    [Fact]
    public void Duration_BasePastTheEndOfTimeWhenDoubled_SaturatesAtMaxValue()
    {
        PenaltySchedule schedule = Schedule(TimeSpan.FromDays(1), TimeSpan.MaxValue, jitter: 0.5);

        // 1 day x 2^30 is beyond TimeSpan.MaxValue: the cap (MaxValue) applies, jittered up it saturates.
        Assert.Equal(TimeSpan.MaxValue, schedule.Duration(int.MaxValue, JustUnderOne));
        Assert.True(schedule.Duration(int.MaxValue, 0) >= TimeSpan.MaxValue / 2 - TimeSpan.FromDays(1));
    }

    [Fact]
    public void Duration_IsNonDecreasingInTheCount()
    {
        PenaltySchedule schedule = Schedule(TimeSpan.FromMilliseconds(3), TimeSpan.FromHours(2), jitter: 0.2);

        TimeSpan previous = TimeSpan.Zero;
        for (int n = 1; n <= 64; n++)
        {
            TimeSpan duration = schedule.Duration(n, 0.5);
            Assert.True(duration >= previous, $"n={n}: {duration} < {previous}");
            previous = duration;
        }

        Assert.Equal(TimeSpan.FromHours(2), previous);
    }

    private static PenaltySchedule Schedule(TimeSpan baseDuration, TimeSpan max, double jitter) =>
        PenaltySchedule.From(new ClusterOptions
        {
            OfflinePenaltyBaseDuration = baseDuration,
            OfflinePenaltyMaxDuration = max,
            OfflinePenaltyJitter = jitter,
        });
}
