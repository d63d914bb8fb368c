namespace ClusterRouting.Tests.Throttling;

public class ThrottleDecisionTests
{
    [Fact]
    public void Admit_IsNeitherThrottledNorLimited()
    {
        ThrottleDecision admit = ThrottleDecision.Admit;

        Assert.False(admit.IsThrottled);
        Assert.Equal(int.MaxValue, admit.ConcurrencyLimit);
        Assert.Null(admit.RetryAfter);
        Assert.Equal("Admit", admit.ToString());
        Assert.Equal(default, admit);
    }

    [Fact]
    public void Throttle_CarriesRetryAfter()
    {
        ThrottleDecision decision = ThrottleDecision.Throttle(TimeSpan.FromSeconds(5));

        Assert.True(decision.IsThrottled);
        Assert.Equal(TimeSpan.FromSeconds(5), decision.RetryAfter);
        Assert.Equal("Throttle (retry after 00:00:05)", decision.ToString());
        Assert.Equal("Throttle (retry after unknown)", ThrottleDecision.Throttle().ToString());
        Assert.NotEqual(ThrottleDecision.Throttle(), decision);
        Assert.True(decision == ThrottleDecision.Throttle(TimeSpan.FromSeconds(5)));
        Assert.True(decision != ThrottleDecision.Admit);
        Assert.Equal(decision.GetHashCode(), ThrottleDecision.Throttle(TimeSpan.FromSeconds(5)).GetHashCode());
        Assert.False(decision.Equals("x"));
    }

    [Fact]
    public void Throttle_NegativeRetryAfter_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ThrottleDecision.Throttle(TimeSpan.FromTicks(-1)));

        Assert.Equal("retryAfter", error.ParamName);
        Assert.StartsWith("The retry-after hint must not be negative.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void LimitConcurrency_BelowOne_ThrowsNamingIt(int limit)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ThrottleDecision.LimitConcurrency(limit));

        Assert.Equal("maxConcurrentOperations", error.ParamName);
    }

    [Fact]
    public void LimitConcurrency_SetsTheLimit()
    {
        ThrottleDecision decision = ThrottleDecision.LimitConcurrency(7);

        Assert.False(decision.IsThrottled);
        Assert.Equal(7, decision.ConcurrencyLimit);
        Assert.Equal("LimitConcurrency(7)", decision.ToString());
    }

    [Fact]
    public void Equality_EachFieldCounts()
    {
        // Throttle() and Admit differ only in IsThrottled (both have no limit and no retry-after).
        Assert.NotEqual(ThrottleDecision.Admit, ThrottleDecision.Throttle());
        Assert.False(ThrottleDecision.Throttle() == ThrottleDecision.Admit);

        // Two limits differ only in the limit.
        Assert.NotEqual(ThrottleDecision.LimitConcurrency(7), ThrottleDecision.LimitConcurrency(8));
        Assert.True(ThrottleDecision.LimitConcurrency(7) != ThrottleDecision.LimitConcurrency(8));
        Assert.Equal(ThrottleDecision.LimitConcurrency(7), ThrottleDecision.LimitConcurrency(7));

        // Two throttles differ only in the retry-after; a zero retry-after is allowed and is not "unknown".
        Assert.NotEqual(ThrottleDecision.Throttle(TimeSpan.Zero), ThrottleDecision.Throttle());
        Assert.Equal(TimeSpan.Zero, ThrottleDecision.Throttle(TimeSpan.Zero).RetryAfter);
    }
}
