namespace ClusterRouting.Tests.Health;

public class SlowStartScheduleTests
{
    private static SlowStartSchedule Schedule(double windowSeconds, double minimumPercentage = 10) =>
        SlowStartSchedule.From(new ClusterOptions { SlowStartWindow = TimeSpan.FromSeconds(windowSeconds), SlowStartMinimumPercentage = minimumPercentage });

    [Theory]
    [InlineData(0, 100)]    // the minimum: 10 %
    [InlineData(1.99, 100)] // step 1 of 20 (5 %) is still under the minimum
    [InlineData(2, 100)]    // step 2 (10 %): the minimum
    [InlineData(3, 150)]    // step 3: 15 %
    [InlineData(10.5, 500)] // step 10: 50 %
    [InlineData(19.99, 950)]
    [InlineData(20, 1000)]  // the window is over
    [InlineData(500, 1000)]
    public void ShareAt_RisesLinearlyInTwentiethsFromTheMinimum(double elapsedSeconds, int thousandths)
    {
        Assert.Equal(thousandths, Schedule(20).ShareAt(TimeSpan.FromSeconds(elapsedSeconds)));
    }

    [Theory]
    [InlineData(0, 3)]     // 10 % until step 3
    [InlineData(2.5, 3)]
    [InlineData(3, 4)]
    [InlineData(19, 20)]
    public void NextChange_IsTheStartOfTheNextStepThatRaisesTheShare(double elapsedSeconds, double nextSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(nextSeconds), Schedule(20).NextChange(TimeSpan.FromSeconds(elapsedSeconds)));
    }

    [Fact]
    public void NextChange_AfterTheWindow_IsNone()
    {
        Assert.Null(Schedule(20).NextChange(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void NextChange_MinimumBetweenSteps_IsTheFirstStepAboveIt()
    {
        // 12.5 %: steps 0 to 2 (0 to 10 %) give the minimum; step 3 (15 %) is the first above it.
        SlowStartSchedule schedule = Schedule(20, 12.5);

        Assert.Equal(125, schedule.ShareAt(TimeSpan.FromSeconds(2.5)));
        Assert.Equal(TimeSpan.FromSeconds(3), schedule.NextChange(TimeSpan.Zero));
    }

    [Theory]
    [InlineData(40, 100, 4)]
    [InlineData(30, 100, 3)]   // 3.0 exactly: no floating-point 3.0000000000000004 rounding up to 4
    [InlineData(41, 100, 5)]   // 4.1 rounds up
    [InlineData(1, 100, 1)]    // never below 1
    [InlineData(3, 150, 1)]    // 0.45 rounds up to 1
    [InlineData(40, 1000, 40)]
    [InlineData(int.MaxValue, 100, int.MaxValue)] // no limit stays none
    public void Cap_ScalesTheLimitRoundingUp(int limit, int share, int expected)
    {
        Assert.Equal(expected, SlowStartSchedule.Cap(limit, share));
    }

    [Fact]
    public void Off_WhenTheWindowIsZero()
    {
        Assert.False(Schedule(0).IsOn);
        Assert.True(Schedule(0.001).IsOn);
    }
}
