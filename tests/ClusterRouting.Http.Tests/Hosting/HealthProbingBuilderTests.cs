using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ClusterRouting.Http.Tests.Hosting;

/// <summary>What <c>AddHealthProbing</c> registers, and the arguments it refuses, each named.</summary>
public sealed class HealthProbingBuilderTests
{
    [Fact]
    public void AddHealthProbing_BadArguments_ThrowNamingTheArgument()
    {
        IClusterRoutingBuilder builder = new ServiceCollection().AddClusterRouting();
        IConfiguration section = new ConfigurationBuilder().Build();

        Assert.Throws<ArgumentNullException>("builder", () => ((IClusterRoutingBuilder)null!).AddHealthProbing());
        Assert.Throws<ArgumentNullException>("builder", () => ((IClusterRoutingBuilder)null!).AddHealthProbing(_ => { }));
        Assert.Throws<ArgumentNullException>("builder", () => ((IClusterRoutingBuilder)null!).AddHealthProbing(section));
        Assert.Throws<ArgumentNullException>("configure", () => builder.AddHealthProbing((Action<HealthProbingOptions>)null!));
        Assert.Throws<ArgumentNullException>("section", () => builder.AddHealthProbing((IConfiguration)null!));
    }

    [Fact]
    public void AddHealthProbing_Configured_AppliesTheSettings_AndTheProbesClientHasNoTimeoutOfItsOwn()
    {
        var services = new ServiceCollection();
        IClusterRoutingBuilder builder = services.AddClusterRouting();

        Assert.Same(builder, builder.AddHealthProbing(o => o.UnhealthyThreshold = 4));
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal(4, provider.GetRequiredService<IOptions<HealthProbingOptions>>().Value.UnhealthyThreshold);
        using HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(HealthProbingOptions.HttpClientName);
        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
    }

    [Fact]
    public void AddHealthProbing_FromConfiguration_BindsTheSection_AndCalledTwiceRegistersOneService()
    {
        var services = new ServiceCollection();
        IClusterRoutingBuilder builder = services.AddClusterRouting();
        IConfiguration section = new ConfigurationBuilder().AddInMemoryCollection([new("Timeout", "00:00:03")]).Build();

        Assert.Same(builder, builder.AddHealthProbing(section));
        builder.AddHealthProbing();
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Equal(TimeSpan.FromSeconds(3), provider.GetRequiredService<IOptions<HealthProbingOptions>>().Value.Timeout);
        Assert.Single(provider.GetServices<IHostedService>());
        Assert.Single(provider.GetServices<IValidateOptions<HealthProbingOptions>>());
    }

    [Fact]
    public void AddHealthProbing_InvalidSettings_FailValidationNamingTheField()
    {
        var services = new ServiceCollection();
        services.AddClusterRouting().AddHealthProbing(o => o.Jitter = 0.9);
        using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<HealthProbingOptions>>().Value);

        Assert.Equal(["HealthProbingOptions.Jitter must be from 0 to 0.5; it is 0.9."], error.Failures);
    }
}
