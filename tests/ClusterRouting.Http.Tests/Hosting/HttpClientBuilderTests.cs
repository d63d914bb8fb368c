using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace ClusterRouting.Http.Tests.Hosting;

public sealed class HttpClientBuilderTests : IAsyncLifetime
{
    private HttpMember[] _members = [];

    public async Task InitializeAsync() => _members = await Members.StartAsync(2);

    public Task DisposeAsync() => Members.DisposeAllAsync(_members);

    private IConfiguration Configuration(string mode = "Failover") => new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["ClusterRouting:refresh:Mode"] = mode,
        ["ClusterRouting:refresh:Members:0:Id"] = "gw-1",
        ["ClusterRouting:refresh:Members:0:Address"] = _members[0].Address.AbsoluteUri,
        ["ClusterRouting:refresh:Members:1:Id"] = "gw-2",
        ["ClusterRouting:refresh:Members:1:Address"] = $"http://127.0.0.1:{_members[1].Port}/gw/",
    }).Build();

    [Fact]
    public async Task AddClusterRouting_ClusterFromConfiguration_RoutesTheNamedClientToTheConfiguredAddresses()
    {
        var services = new ServiceCollection();
        services.AddClusterRouting(Configuration().GetSection("ClusterRouting"));
        services.AddHttpClient("refresh", c => c.BaseAddress = new Uri("http://refresh/")).AddClusterRouting("refresh");
        await using ServiceProvider provider = services.BuildServiceProvider();
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("refresh");

        Assert.Equal("gw-1", await client.GetStringAsync("query?x=1"));
        provider.GetRequiredKeyedService<IClusterAdministration>("refresh").SetMemberEnabled("gw-1", false);
        Assert.Equal("gw-2", await client.GetStringAsync("query?x=1"));

        Assert.Equal("/query?x=1", _members[0].LastPathAndQuery);
        Assert.Equal("/gw/query?x=1", _members[1].LastPathAndQuery);
        Assert.Equal(0, Members.TotalInFlight(provider.GetRequiredKeyedService<IClusterSelector>("refresh")));
    }

    [Fact]
    public async Task AddClusterRouting_ContainerLoggerFactory_LogsTheHandlersEvents()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Debug));
        services.AddClusterRouting(Configuration().GetSection("ClusterRouting"));
        services.AddHttpClient("refresh").AddClusterRouting("refresh");
        await using ServiceProvider provider = services.BuildServiceProvider();
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("refresh");

        await client.GetStringAsync("http://refresh/work");

        FakeLogRecord routed = Assert.Single(provider.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "RequestRouted");
        Assert.Equal(100, routed.Id.Id);
        Assert.Equal(typeof(ClusterRoutingHandler).FullName, routed.Category);
        Assert.Equal("gw-1", routed.GetStructuredStateValue("MemberId"));
    }

    [Fact]
    public async Task AddClusterRouting_UnknownCluster_CreatingTheClientThrowsNamingTheRegisteredOnes()
    {
        var services = new ServiceCollection();
        services.AddClusterRouting(Configuration().GetSection("ClusterRouting"));
        services.AddHttpClient("refresh").AddClusterRouting("refrseh");
        await using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<ArgumentException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("refresh"));

        Assert.Contains("'refrseh'", error.Message, StringComparison.Ordinal);
        Assert.Contains("refresh", error.Message.Split("registered:")[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddClusterRouting_InvalidOptions_CreatingTheClientReportsEveryProblem()
    {
        var services = new ServiceCollection();
        services.AddClusterRouting(Configuration().GetSection("ClusterRouting"));
        services.AddHttpClient("refresh").AddClusterRouting("refresh", o =>
        {
            o.MaxRefusalBodyBytes = 2_000_000;
            o.MaxRefusalCoolDown = TimeSpan.Zero;
        });
        await using ServiceProvider provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("refresh"));

        Assert.Equal(2, error.Failures.Count());
        Assert.All(error.Failures, f => Assert.StartsWith("HTTP client 'refresh': ", f, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddClusterRouting_OptionsPerClient_EachClientGetsItsOwn()
    {
        var services = new ServiceCollection();
        services.AddClusterRouting(Configuration().GetSection("ClusterRouting"));
        services.AddHttpClient("a").AddClusterRouting("refresh", o => o.MaxRefusalBodyBytes = 10);
        services.AddHttpClient("b").AddClusterRouting("refresh");
        await using ServiceProvider provider = services.BuildServiceProvider();
        IOptionsMonitor<ClusterRoutingHandlerOptions> options = provider.GetRequiredService<IOptionsMonitor<ClusterRoutingHandlerOptions>>();

        Assert.Equal(10, options.Get("a").MaxRefusalBodyBytes);
        Assert.Equal(4096, options.Get("b").MaxRefusalBodyBytes);
    }

    [Fact]
    public void AddClusterRouting_BadArguments_Throw()
    {
        IHttpClientBuilder builder = new ServiceCollection().AddHttpClient("x");

        Assert.Throws<ArgumentNullException>("builder", () => ((IHttpClientBuilder)null!).AddClusterRouting("refresh"));
        Assert.Throws<ArgumentNullException>("clusterName", () => builder.AddClusterRouting(null!));
        Assert.Throws<ArgumentException>("clusterName", () => builder.AddClusterRouting(" "));
    }
}
