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

    [Theory]
    [InlineData("/cluster-routing/health")]
    [InlineData("health")]
    [InlineData("gw/health?full=1")]
    public void APathRelativeToTheMember_IsValid(string path)
    {
        Assert.True(new HealthProbingOptionsValidator().Validate(null, new HealthProbingOptions { Path = path }).Succeeded);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("http://elsewhere/health")]
    [InlineData("https://elsewhere/health")]
    public void APathThatIsNotRelativeToTheMember_IsInvalid_SayingWhatItIs(string path)
    {
        var result = new HealthProbingOptionsValidator().Validate(null, new HealthProbingOptions { Path = path });

        Assert.Equal([$"HealthProbingOptions.Path must be a path relative to each member's address; it is '{path}'."], result.Failures);
    }

    [Fact]
    public void TheSmallestValidValues_AreValid()
    {
        var options = new HealthProbingOptions
        {
            Interval = TimeSpan.FromTicks(1),
            UnhealthyInterval = TimeSpan.FromTicks(1),
            Timeout = TimeSpan.FromTicks(1),
            UnhealthyThreshold = 1,
            Jitter = 0,
        };
        options.Clusters.Add("gateway");

        Assert.True(new HealthProbingOptionsValidator().Validate(null, options).Succeeded);
        Assert.True(new HealthProbingOptionsValidator().Validate(null, new HealthProbingOptions { Jitter = 0.5 }).Succeeded);
    }

    [Fact]
    public void ValuesJustOutOfRange_AreInvalid_EachSayingWhatItIs()
    {
        var options = new HealthProbingOptions
        {
            Interval = TimeSpan.FromTicks(-1),
            UnhealthyInterval = Timeout.InfiniteTimeSpan,
            Timeout = TimeSpan.Zero,
            UnhealthyThreshold = 0,
            Jitter = -0.01,
        };
        options.Clusters.Add("gateway");
        options.Clusters.Add("");

        var result = new HealthProbingOptionsValidator().Validate(null, options);

        Assert.Equal(
            [
                "HealthProbingOptions.Interval must be greater than zero and finite; it is -00:00:00.0000001.",
                "HealthProbingOptions.UnhealthyInterval must be greater than zero and finite; it is -00:00:00.0010000.",
                "HealthProbingOptions.Timeout must be greater than zero and finite; it is 00:00:00.",
                "HealthProbingOptions.UnhealthyThreshold must be at least 1; it is 0.",
                "HealthProbingOptions.Jitter must be from 0 to 0.5; it is -0.01.",
                "HealthProbingOptions.Clusters[1] must name a cluster.",
            ],
            result.Failures);
    }

    [Theory]
    [InlineData(0.51)]
    [InlineData(double.NaN)]
    public void AJitterOverHalfOrNotANumber_IsInvalid(double jitter)
    {
        var result = new HealthProbingOptionsValidator().Validate(null, new HealthProbingOptions { Jitter = jitter });

        Assert.Equal([$"HealthProbingOptions.Jitter must be from 0 to 0.5; it is {jitter}."], result.Failures);
    }
}
