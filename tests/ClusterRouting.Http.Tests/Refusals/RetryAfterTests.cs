namespace ClusterRouting.Http.Tests.Refusals;

public class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData("2", 2)]
    [InlineData("120", 120)]
    [InlineData(" 7 ", 7)]
    public void CoolDown_Seconds_ReturnsThem(string header, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryAfter.CoolDown(header, Now, Max));
    }

    [Fact]
    public void CoolDown_HttpDate_ReturnsTheTimeUntilIt()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), RetryAfter.CoolDown("Sun, 01 Mar 2026 12:00:30 GMT", Now, Max));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("Sun, 01 Mar 2026 11:59:00 GMT")]
    [InlineData("Sun, 01 Mar 2026 12:00:00 GMT")]
    public void CoolDown_ZeroOrPastDate_ReturnsTheShortestCoolDown(string header)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(1), RetryAfter.CoolDown(header, Now, Max));
    }

    [Theory]
    [InlineData("3600")]
    [InlineData("Mon, 02 Mar 2026 12:00:00 GMT")]
    public void CoolDown_LongerThanTheMaximum_IsCutToIt(string header)
    {
        Assert.Equal(Max, RetryAfter.CoolDown(header, Now, Max));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("-5")]
    [InlineData("2.5")]
    public void CoolDown_AbsentOrInvalid_ReturnsNull(string? header)
    {
        Assert.Null(RetryAfter.CoolDown(header, Now, Max));
    }
}
