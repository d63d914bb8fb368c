using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Cluster;

/// <summary>
/// The words of the argument errors the cluster's own members throw, with the argument each names: an admin tool or a
/// log shows the message, so it must say what was wrong.
/// </summary>
public class ArgumentErrorMessageTests
{
    [Fact]
    public void ReportRefusal_LimitThatIsNotRefusable_SaysWhichLimitsAre()
    {
        using ClusterSelector cluster = Clusters.Create(1);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => cluster.ReportRefusal("gw-0", ThrottleLimitKind.Custom));

        Assert.Equal("limit", error.ParamName);
        Assert.StartsWith("A member refuses for its CPU, memory or concurrency limit.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportRefusal_CoolDownNotPositive_SaysItMustBeGreaterThanZero()
    {
        using ClusterSelector cluster = Clusters.Create(1);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.Zero));

        Assert.Equal("coolDown", error.ParamName);
        Assert.StartsWith("The cool-down must be greater than zero.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mode_Undefined_SaysWhichModesThereAre()
    {
        using ClusterSelector cluster = Clusters.Create(1);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => cluster.Mode = (SelectionMode)42);

        Assert.Equal("value", error.ParamName);
        Assert.StartsWith("The mode must be Failover, Random, RoundRobin or LeastLoaded.", error.Message, StringComparison.Ordinal);
        Assert.Equal(SelectionMode.Failover, cluster.Mode);
    }

    [Fact]
    public void AddMember_OptionsWithAWhitespaceId_SaysTheIdMustNotBeEmpty()
    {
        using ClusterSelector cluster = Clusters.Create(1);

        var error = Assert.Throws<ArgumentException>(() => cluster.AddMember(new ClusterMemberOptions(" ")));

        Assert.Equal("member", error.ParamName);
        Assert.StartsWith("The member's Id must not be null, empty or whitespace.", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, cluster.MemberCount);
    }

    [Fact]
    public void AddMember_WhitespaceId_SaysTheValueCannotBeEmpty()
    {
        using ClusterSelector cluster = Clusters.Create(1);

        var error = Assert.Throws<ArgumentException>(() => cluster.AddMember(" "));

        Assert.Equal("id", error.ParamName);
        Assert.StartsWith("The value cannot be an empty string or composed entirely of whitespace.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1, 50)]
    [InlineData(50, 100.1)]
    [InlineData(double.NaN, 50)]
    public void ReportUtilization_OutOfRange_SaysTheRange(double cpu, double memory)
    {
        using ClusterSelector cluster = Clusters.Create(1);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => cluster.ReportUtilization("gw-0", cpu, memory));

        Assert.Equal(double.IsNaN(cpu) || cpu < 0 ? "cpuPercent" : "memoryPercent", error.ParamName);
        Assert.StartsWith("A utilization percentage must be between 0 and 100.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LimitConcurrency_BelowOne_SaysTheMinimum()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ThrottleDecision.LimitConcurrency(0));

        Assert.StartsWith("maxConcurrentOperations ('0') must be greater than or equal to '1'.", error.Message, StringComparison.Ordinal);
    }
}
