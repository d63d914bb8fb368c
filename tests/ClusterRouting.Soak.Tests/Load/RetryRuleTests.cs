namespace ClusterRouting.Soak.Tests.Load;

/// <summary>The soak's definition of a lost request: what a caller retries, and how long it waits.</summary>
public sealed class RetryRuleTests
{
    [Fact]
    public void IsRetryable_ClusterThrottled_WaitsItsRetryAfter_CutToTheLongestWait()
    {
        var soon = new ClusterThrottledException("c", ThrottleLimitKind.Cpu, "gw-1", null, TimeSpan.FromMilliseconds(700), []);
        var late = new ClusterThrottledException("c", ThrottleLimitKind.Cpu, "gw-1", null, TimeSpan.FromSeconds(30), []);
        var none = new ClusterThrottledException("c", ThrottleLimitKind.Concurrency, "gw-1", null, null, []);

        Assert.True(RetryRule.IsRetryable(soon, out TimeSpan wait));
        Assert.Equal(TimeSpan.FromMilliseconds(700), wait);
        Assert.True(RetryRule.IsRetryable(late, out wait));
        Assert.Equal(RetryRule.MaxWait, wait);
        Assert.True(RetryRule.IsRetryable(none, out wait));
        Assert.Equal(RetryRule.DefaultWait, wait);
    }

    [Fact]
    public void IsRetryable_NoMemberAvailable_WaitsTheSoonestRejection_AtLeastTheShortestWait()
    {
        var error = new NoMemberAvailableException("c", [
            new MemberRejection("gw-1", MemberRejectionReason.Offline, TimeSpan.FromSeconds(1)),
            new MemberRejection("gw-2", MemberRejectionReason.Disabled),
            new MemberRejection("gw-3", MemberRejectionReason.Offline, TimeSpan.FromMilliseconds(1))]);

        Assert.True(RetryRule.IsRetryable(error, out TimeSpan wait));
        Assert.Equal(RetryRule.MinWait, wait);
    }

    [Fact]
    public void IsRetryable_AllMembersFailed_WaitsTheSoonestRefusal_OrTheDefaultWithNone()
    {
        var refused = new AllMembersFailedException("c", [
            new MemberAttempt("gw-1", AttemptOutcome.Offline, new HttpRequestException("reset")),
            new MemberAttempt("gw-2", AttemptOutcome.Refused, new MemberRefusedException(ThrottleLimitKind.Concurrency, TimeSpan.FromSeconds(1)))]);
        var offline = new AllMembersFailedException("c", [new MemberAttempt("gw-1", AttemptOutcome.Offline, new HttpRequestException("reset"))]);

        Assert.True(RetryRule.IsRetryable(refused, out TimeSpan wait));
        Assert.Equal(TimeSpan.FromSeconds(1), wait);
        Assert.True(RetryRule.IsRetryable(offline, out wait));
        Assert.Equal(RetryRule.DefaultWait, wait);
    }

    [Theory]
    [InlineData(typeof(HttpRequestException))]
    [InlineData(typeof(TaskCanceledException))]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(AggregateException))]
    public void IsRetryable_AnythingElse_IsALoss(Type type)
    {
        var error = (Exception)Activator.CreateInstance(type)!;

        Assert.False(RetryRule.IsRetryable(error, out _));
    }

    [Fact]
    public void IsRetryable_RequestNotReplayable_IsALoss()
    {
        Assert.False(RetryRule.IsRetryable(new ClusterRouting.Http.RequestNotReplayableException("not replayable"), out _));
    }
}
