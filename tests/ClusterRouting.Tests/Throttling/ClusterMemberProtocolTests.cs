namespace ClusterRouting.Tests.Throttling;

/// <summary>The wire names a member and its routers share: each limit's name reads back as the same limit.</summary>
public class ClusterMemberProtocolTests
{
    [Theory]
    [InlineData(ThrottleLimitKind.Cpu, "cpu")]
    [InlineData(ThrottleLimitKind.Memory, "memory")]
    [InlineData(ThrottleLimitKind.Concurrency, "concurrency")]
    public void LimitName_RoundTrips_IgnoringCaseAndSpace(ThrottleLimitKind limit, string name)
    {
        Assert.Equal(name, ClusterMemberProtocol.LimitName(limit));
        Assert.True(ClusterMemberProtocol.TryParseLimit($"  {name.ToUpperInvariant()} ", out ThrottleLimitKind parsed));
        Assert.Equal(limit, parsed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("custom")]
    [InlineData("cpu,memory")]
    public void TryParseLimit_NotALimitName_IsFalse(string? value)
    {
        Assert.False(ClusterMemberProtocol.TryParseLimit(value, out _));
    }

    [Fact]
    public void LimitName_CustomLimit_ThrowsNamingTheArgument()
    {
        Assert.Equal("limit", Assert.Throws<ArgumentOutOfRangeException>(() => ClusterMemberProtocol.LimitName(ThrottleLimitKind.Custom)).ParamName);
    }

    [Fact]
    public void LimitName_CustomLimit_SaysWhichLimitsAMemberRefusesFor()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ClusterMemberProtocol.LimitName(ThrottleLimitKind.Custom));

        Assert.StartsWith("A member refuses for its CPU, memory or concurrency limit.", error.Message, StringComparison.Ordinal);
        Assert.Equal(ThrottleLimitKind.Custom, error.ActualValue);
    }

    [Fact]
    public void Constants_AreTheDocumentedOnes()
    {
        Assert.Equal("ClusterRouting-Limit", ClusterMemberProtocol.LimitHeader);
        Assert.Equal("/cluster-routing/health", ClusterMemberProtocol.DefaultHealthPath);
    }
}
