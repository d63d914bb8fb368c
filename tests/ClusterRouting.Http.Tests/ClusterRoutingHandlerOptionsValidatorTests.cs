namespace ClusterRouting.Http.Tests;

public class ClusterRoutingHandlerOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        var options = new ClusterRoutingHandlerOptions();

        Assert.True(ClusterRoutingHandlerOptionsValidator.Instance.Validate(null, options).Succeeded);
        Assert.Equal((4096, (TimeSpan?)null, TimeSpan.FromMinutes(5)), (options.MaxRefusalBodyBytes, options.AttemptTimeout, options.MaxRefusalCoolDown));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1024 * 1024)]
    public void Validate_BodyBoundAtItsLimits_Succeeds(int bytes)
    {
        Assert.True(ClusterRoutingHandlerOptionsValidator.Instance.Validate(null, new ClusterRoutingHandlerOptions { MaxRefusalBodyBytes = bytes }).Succeeded);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1024 * 1024 + 1)]
    public void Validate_BodyBoundOutOfRange_FailsNamingIt(int bytes)
    {
        var result = ClusterRoutingHandlerOptionsValidator.Instance.Validate("refresh", new ClusterRoutingHandlerOptions { MaxRefusalBodyBytes = bytes });

        Assert.True(result.Failed);
        Assert.StartsWith("HTTP client 'refresh': MaxRefusalBodyBytes", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InfiniteAttemptTimeout_MeansNone()
    {
        Assert.True(ClusterRoutingHandlerOptionsValidator.Instance.Validate(null, new ClusterRoutingHandlerOptions { AttemptTimeout = Timeout.InfiniteTimeSpan }).Succeeded);
    }

    [Fact]
    public void Validate_EveryProblem_ReportedAtOnce()
    {
        var result = ClusterRoutingHandlerOptionsValidator.Instance.Validate(null, new ClusterRoutingHandlerOptions
        {
            MaxRefusalBodyBytes = -5,
            AttemptTimeout = TimeSpan.FromSeconds(-1),
            MaxRefusalCoolDown = TimeSpan.Zero,
        });

        Assert.Equal(3, result.Failures!.Count());
    }

    [Fact]
    public void Validate_SmallestPositiveTimes_Succeed()
    {
        var options = new ClusterRoutingHandlerOptions { AttemptTimeout = TimeSpan.FromTicks(1), MaxRefusalCoolDown = TimeSpan.FromTicks(1) };

        Assert.True(ClusterRoutingHandlerOptionsValidator.Instance.Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_EachProblem_SaysTheValueAndTheRule_PrefixedOnlyForANamedClient()
    {
        var options = new ClusterRoutingHandlerOptions { MaxRefusalBodyBytes = -5, AttemptTimeout = TimeSpan.Zero, MaxRefusalCoolDown = TimeSpan.FromSeconds(-1) };

        var unnamed = ClusterRoutingHandlerOptionsValidator.Instance.Validate(null, options);
        var named = ClusterRoutingHandlerOptionsValidator.Instance.Validate("refresh", options);

        string[] expected =
        [
            "MaxRefusalBodyBytes is -5; it must be between 0 and 1048576.",
            "AttemptTimeout is 00:00:00; it must be greater than zero, or null for none.",
            "MaxRefusalCoolDown is -00:00:01; it must be greater than zero.",
        ];
        Assert.Equal(expected, unnamed.Failures);
        Assert.Equal(expected.Select(e => "HTTP client 'refresh': " + e), named.Failures);
        Assert.Equal(expected, ClusterRoutingHandlerOptionsValidator.Instance.Validate(string.Empty, options).Failures);
    }

    [Fact]
    public void Validate_NullOptions_ThrowsNamingThem()
    {
        Assert.Throws<ArgumentNullException>("options", () => ClusterRoutingHandlerOptionsValidator.Instance.Validate(null, null!));
    }
}
