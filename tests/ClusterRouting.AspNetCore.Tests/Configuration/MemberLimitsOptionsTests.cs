using ClusterRouting.AspNetCore.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClusterRouting.AspNetCore.Tests.Configuration;

/// <summary>Binding under the gateway's key names, and validation that names every bad value at once.</summary>
public class MemberLimitsOptionsTests
{
    [Fact]
    public void AddClusterMember_GatewayKeysInSection_BindsEveryOption()
    {
        MemberLimitsOptions options = Bind(new Dictionary<string, string?>
        {
            ["ClusterMember:Id"] = "gw-2",
            ["ClusterMember:Version"] = "3000.250.5",
            ["ClusterMember:CPUUtilizationPercentageThreshold"] = "75.5",
            ["ClusterMember:MemoryUtilizationPercentageThreshold"] = "80",
            ["ClusterMember:ResourceUtilizationAggregationTimeInMinutes"] = "7",
            ["ClusterMember:ConcurrentOperationLimitPreview"] = "12",
            ["ClusterMember:BypassConcurrentOperationLimit"] = "true",
            ["ClusterMember:SamplingInterval"] = "00:00:02",
        });

        Assert.Equal("gw-2", options.Id);
        Assert.Equal("3000.250.5", options.Version);
        Assert.Equal(75.5, options.CPUUtilizationPercentageThreshold);
        Assert.Equal(80, options.MemoryUtilizationPercentageThreshold);
        Assert.Equal(7, options.ResourceUtilizationAggregationTimeInMinutes);
        Assert.Equal(12, options.ConcurrentOperationLimitPreview);
        Assert.True(options.BypassConcurrentOperationLimit);
        Assert.Equal(TimeSpan.FromSeconds(2), options.SamplingInterval);
    }

    [Fact]
    public void AddClusterMember_EmptySection_HasTheGatewayDefaults()
    {
        MemberLimitsOptions options = Bind(new Dictionary<string, string?>());

        Assert.Equal(Environment.MachineName, options.Id);
        Assert.Null(options.Version);
        Assert.Equal(0, options.CPUUtilizationPercentageThreshold);
        Assert.Equal(0, options.MemoryUtilizationPercentageThreshold);
        Assert.Equal(5, options.ResourceUtilizationAggregationTimeInMinutes);
        Assert.Equal(40, options.ConcurrentOperationLimitPreview);
        Assert.False(options.BypassConcurrentOperationLimit);
        Assert.Equal(TimeSpan.FromSeconds(5), options.SamplingInterval);
    }

    [Fact]
    public void AddClusterMember_SectionThenConfigure_ConfigureWinsOverSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ClusterMember:ConcurrentOperationLimitPreview"] = "12" }).Build();
        using ServiceProvider services = new ServiceCollection().AddClusterMember(configuration.GetSection("ClusterMember"), o => o.Id = "from-code").BuildServiceProvider();

        MemberLimitsOptions options = services.GetRequiredService<IOptions<MemberLimitsOptions>>().Value;

        Assert.Equal("from-code", options.Id);
        Assert.Equal(12, options.ConcurrentOperationLimitPreview);
    }

    [Fact]
    public void Validate_EveryValueBad_ReportsEachFieldAtOnce()
    {
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?>
        {
            ["ClusterMember:Id"] = " ",
            ["ClusterMember:CPUUtilizationPercentageThreshold"] = "101",
            ["ClusterMember:MemoryUtilizationPercentageThreshold"] = "-1",
            ["ClusterMember:ResourceUtilizationAggregationTimeInMinutes"] = "0",
            ["ClusterMember:ConcurrentOperationLimitPreview"] = "0",
            ["ClusterMember:SamplingInterval"] = "00:00:00",
        }));

        string[] fields = ["Id", "CPUUtilizationPercentageThreshold", "MemoryUtilizationPercentageThreshold", "ResourceUtilizationAggregationTimeInMinutes", "ConcurrentOperationLimitPreview", "SamplingInterval"];
        Assert.Equal(fields.Length, error.Failures.Count());
        foreach (string field in fields)
        {
            Assert.Single(error.Failures, f => f.Contains(field, StringComparison.Ordinal));
        }

        Assert.Single(error.Failures, f => f.Contains("Id", StringComparison.Ordinal) && f.Contains("must not be empty or whitespace.", StringComparison.Ordinal));
        Assert.Single(error.Failures, f => f.Contains("must be greater than zero (was 00:00:00).", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("CPUUtilizationPercentageThreshold")]
    [InlineData("MemoryUtilizationPercentageThreshold")]
    public void Validate_ThresholdNaN_NamesTheField(string field)
    {
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?> { ["ClusterMember:" + field] = "NaN" }));

        Assert.Contains(error.Failures, f => f.Contains(field, StringComparison.Ordinal) && f.Contains("NaN", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SamplingIntervalLongerThanWindow_NamesSamplingInterval()
    {
        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => Bind(new Dictionary<string, string?>
        {
            ["ClusterMember:ResourceUtilizationAggregationTimeInMinutes"] = "1",
            ["ClusterMember:SamplingInterval"] = "00:01:01",
        }));

        string failure = Assert.Single(error.Failures);
        Assert.Contains("SamplingInterval", failure, StringComparison.Ordinal);
        Assert.Contains("must be at most ResourceUtilizationAggregationTimeInMinutes (was 00:01:01, window 1 min).", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SamplingIntervalAsLongAsTheWindow_Succeeds()
    {
        var options = new MemberLimitsOptions { ResourceUtilizationAggregationTimeInMinutes = 1, SamplingInterval = TimeSpan.FromMinutes(1) };

        Assert.True(new MemberLimitsOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData(0, 100, 1, 1)]
    [InlineData(100, 0, 1, int.MaxValue)]
    [InlineData(50.5, 99.9, 60, 40)]
    public void Validate_BoundaryValues_Succeed(double cpu, double memory, int minutes, int limit)
    {
        var options = new MemberLimitsOptions { CPUUtilizationPercentageThreshold = cpu, MemoryUtilizationPercentageThreshold = memory, ResourceUtilizationAggregationTimeInMinutes = minutes, ConcurrentOperationLimitPreview = limit };

        Assert.True(new MemberLimitsOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_FailsTheHostAtStart()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Services.AddClusterMember(o => o.ConcurrentOperationLimitPreview = 0);
        await using WebApplication app = builder.Build();

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync().WaitAsync(Waits.Default));

        Assert.Contains(error.Failures, f => f.Contains("ConcurrentOperationLimitPreview", StringComparison.Ordinal));
    }

    [Fact]
    public void UseClusterMemberLimits_ServicesNotAdded_ThrowsSayingWhatToCall()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        using WebApplication app = (WebApplication)builder.Build();

        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => app.UseClusterMemberLimits());

        Assert.Contains("AddClusterMember", error.Message, StringComparison.Ordinal);
    }

    private static MemberLimitsOptions Bind(Dictionary<string, string?> values)
    {
        IConfigurationRoot configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        using ServiceProvider services = new ServiceCollection().AddClusterMember(configuration.GetSection("ClusterMember")).BuildServiceProvider();
        return services.GetRequiredService<IOptions<MemberLimitsOptions>>().Value;
    }
}
