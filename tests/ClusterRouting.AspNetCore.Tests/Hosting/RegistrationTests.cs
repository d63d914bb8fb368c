using ClusterRouting.AspNetCore.Tests.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.AspNetCore.Tests.Hosting;

/// <summary>What AddClusterMember registers on a bare service collection, and the health endpoint it maps.</summary>
public sealed class RegistrationTests
{
    [Fact]
    public void AddClusterMember_OnABareCollection_ResolvesEverythingItNeeds()
    {
        // No host: no metrics, no logging, no utilization source registered by anyone else.
        using ServiceProvider services = new ServiceCollection().AddClusterMember().BuildServiceProvider();

        Assert.NotNull(services.GetRequiredService<MemberLimiter>());
        Assert.IsType<ProcessUtilizationSource>(services.GetRequiredService<IMemberUtilizationSource>());
        Assert.IsType<MemberLoadSampler>(Assert.Single(services.GetServices<IHostedService>()));
    }

    [Fact]
    public void AddClusterMember_Twice_RegistersOnce()
    {
        var services = new ServiceCollection();

        services.AddClusterMember().AddClusterMember(o => o.Id = "second");

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(MemberLimiter));
    }

    [Fact]
    public void AddClusterMember_LogsUnderItsCategory()
    {
        var logs = new FakeLogCollector();
        var source = new ScriptedUtilizationSource { Throw = new InvalidOperationException("no reading") };
        using ServiceProvider services = new ServiceCollection()
            .AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)))
            .AddSingleton<IMemberUtilizationSource>(source)
            .AddClusterMember()
            .BuildServiceProvider();

        services.GetRequiredService<MemberLoadSampler>().Sample();

        FakeLogRecord record = Assert.Single(logs.GetSnapshot(), r => r.Exception is InvalidOperationException);
        Assert.Equal("ClusterRouting.AspNetCore.ClusterMember", record.Category);
    }

    [Fact]
    public void MapClusterMemberHealth_NamesTheEndpoint_AndExemptsItFromTheLimits()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddClusterMember();
        using WebApplication app = builder.Build();

        app.MapClusterMemberHealth("/member/health");

        Endpoint endpoint = Assert.Single(((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints));
        Assert.Equal("Cluster member health", endpoint.DisplayName);
        Assert.NotNull(endpoint.Metadata.GetMetadata<DisableMemberLimitsMetadata>());
    }

    [Fact]
    public void MapClusterMemberHealth_ServicesNotAdded_ThrowsSayingWhatToCall()
    {
        using WebApplication app = WebApplication.CreateSlimBuilder().Build();

        var ex = Assert.Throws<InvalidOperationException>(() => app.MapClusterMemberHealth());

        Assert.Equal("The cluster member's services are not registered: call services.AddClusterMember(...) first.", ex.Message);
    }
}
