namespace ClusterRouting.Http.Tests.Probing;

public class HealthProbingOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid_AndTheDocumentedOnes()
    {
        var options = new HealthProbingOptions();

        Assert.True(new HealthProbingOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(
            ("/cluster-routing/health", TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 2, 0.2),
            (options.Path, options.Interval, options.UnhealthyInterval, options.Timeout, options.UnhealthyThreshold, options.Jitter));
        Assert.Empty(options.Clusters);
    }

    [Fact]
    public void EveryBadField_IsNamed_AtOnce()
    {
        var options = new HealthProbingOptions
        {
            Path = "http://elsewhere/health",
            Interval = TimeSpan.Zero,
            UnhealthyInterval = TimeSpan.FromSeconds(-1),
            Timeout = Timeout.InfiniteTimeSpan,
            UnhealthyThreshold = 0,
            Jitter = 0.9,
        };
        options.Clusters.Add(" ");

        var result = new HealthProbingOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        string[] fields = ["Path", "Interval", "UnhealthyInterval", "Timeout", "UnhealthyThreshold", "Jitter", "Clusters[0]"];
        Assert.Equal(fields.Length, result.Failures!.Count());
        Assert.All(fields, field => Assert.Contains(result.Failures!, f => f.StartsWith($"HealthProbingOptions.{field} ", StringComparison.Ordinal)));
    }
}
