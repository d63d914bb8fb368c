using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterRouting.AspNetCore.Tests.Hosting;

/// <summary>Each entry point refuses a missing argument by name, before it registers or maps anything.</summary>
public sealed class ArgumentCheckTests
{
    private static readonly IConfiguration Section = new ConfigurationBuilder().Build();

    [Fact]
    public void AddClusterMember_NullConfigure_NamesItAndAddsNothing()
    {
        var services = new ServiceCollection();

        Assert.Equal("configure", Assert.Throws<ArgumentNullException>(() => services.AddClusterMember((Action<MemberLimitsOptions>)null!)).ParamName);
        Assert.Equal("configure", Assert.Throws<ArgumentNullException>(() => services.AddClusterMember(Section, null!)).ParamName);
        Assert.Empty(services);
    }

    [Fact]
    public void AddClusterMember_NullSection_NamesItAndAddsNothing()
    {
        var services = new ServiceCollection();

        Assert.Equal("section", Assert.Throws<ArgumentNullException>(() => services.AddClusterMember((IConfiguration)null!)).ParamName);
        Assert.Empty(services);
    }

    [Fact]
    public void AddClusterMember_NullServices_NamesThem()
    {
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ClusterMemberServiceCollectionExtensions.AddClusterMember(null!)).ParamName);
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ClusterMemberServiceCollectionExtensions.AddClusterMember(null!, Section)).ParamName);
    }

    [Fact]
    public void UseClusterMemberLimits_NullApp_NamesIt()
    {
        Assert.Equal("app", Assert.Throws<ArgumentNullException>(() => ClusterMemberApplicationBuilderExtensions.UseClusterMemberLimits(null!)).ParamName);
    }

    [Fact]
    public void MapClusterMemberHealth_NullEndpointsOrBlankPattern_NamesThem()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddClusterMember();
        using WebApplication app = builder.Build();

        Assert.Equal("endpoints", Assert.Throws<ArgumentNullException>(() => ClusterMemberEndpointRouteBuilderExtensions.MapClusterMemberHealth(null!)).ParamName);
        Assert.Equal("pattern", Assert.Throws<ArgumentException>(() => app.MapClusterMemberHealth(" ")).ParamName);
        Assert.Empty(((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints));
    }

    [Fact]
    public void DisableClusterMemberLimits_NullBuilder_NamesIt()
    {
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ((IEndpointConventionBuilder)null!).DisableClusterMemberLimits()).ParamName);
    }

    [Fact]
    public void InternalTypes_NullDependencies_AreNamed()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new MemberMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());

        Assert.Equal("meterFactory", Assert.Throws<ArgumentNullException>(() => new MemberMetrics(null!)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new MemberLimiter(null!, NullLogger.Instance, metrics)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new MemberLimitsOptionsValidator().Validate(null, null!)).ParamName);
        Assert.Equal("limiter", Assert.Throws<ArgumentNullException>(() => new MemberLoadSampler(null!, new TestSupport.ScriptedUtilizationSource(), TimeProvider.System, NullLogger.Instance)).ParamName);
    }
}
