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
}
