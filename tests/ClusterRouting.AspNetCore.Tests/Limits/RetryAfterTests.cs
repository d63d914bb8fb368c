namespace ClusterRouting.AspNetCore.Tests.Limits;

public class RetryAfterTests
{
    [Theory]
    [InlineData(-5_000, 1)]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(999, 1)]
    [InlineData(1_000, 1)]
    [InlineData(1_001, 2)]
    [InlineData(59_500, 60)]
    [InlineData(60_000, 60)]
    public void Seconds_Delay_RoundsUpToWholeSecondsAtLeastOne(int milliseconds, long expected) =>
        Assert.Equal(expected, RetryAfter.Seconds(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void LoadVerdict_RetryAfter_IsFormattedOnce()
    {
        var verdict = new LoadVerdict(95, 10, MemberLimit.Cpu, TimeSpan.FromSeconds(12.2));

        Assert.Equal(13, verdict.RetryAfterSeconds);
        Assert.Same(verdict.RetryAfterText, verdict.RetryAfterText);
        Assert.Equal("13", verdict.RetryAfterText);
    }
}
