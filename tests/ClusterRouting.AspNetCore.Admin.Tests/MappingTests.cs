using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClusterRouting.Admin.Tests;

/// <summary>Nothing is mapped anonymous by mistake: mapping fails at start without a change policy, with a policy that does not exist, or without the console's services.</summary>
public sealed class MappingTests
{
    [Fact]
    public void AddAndMap_NullArguments_AreNamed()
    {
        var services = new ServiceCollection();
        using WebApplication app = Build(s => s.AddClusterRoutingAdmin(o => o.ChangePolicy = "change"));

        Assert.Equal("configure", Assert.Throws<ArgumentNullException>(() => services.AddClusterRoutingAdmin(null!)).ParamName);
        Assert.Empty(services);
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ClusterRoutingAdminServiceCollectionExtensions.AddClusterRoutingAdmin(null!, _ => { })).ParamName);
        Assert.Equal("endpoints", Assert.Throws<ArgumentNullException>(() => ClusterRoutingAdminEndpointRouteBuilderExtensions.MapClusterRoutingAdmin(null!, "/cluster-routing")).ParamName);
        Assert.Equal("pattern", Assert.Throws<ArgumentNullException>(() => app.MapClusterRoutingAdmin(null!)).ParamName);
    }

    [Fact]
    public void Map_WithoutAChangePolicy_FailsNamingIt()
    {
        using WebApplication app = Build(services => services.AddClusterRoutingAdmin(o => o.ReadPolicy = "read"));

        var ex = Assert.Throws<OptionsValidationException>(() => app.MapClusterRoutingAdmin("/cluster-routing"));

        Assert.Contains("ChangePolicy", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Name the authorization policy that guards changes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AnEmptyReadPolicy_IsRefused_AndTheRefreshIntervalBoundsAreAllowed()
    {
        var validator = new AdminOptionsValidator();

        ValidateOptionsResult empty = validator.Validate(null, new ClusterRoutingAdminOptions { ChangePolicy = "change", ReadPolicy = " " });
        ValidateOptionsResult fastest = validator.Validate(null, new ClusterRoutingAdminOptions { ChangePolicy = "change", RefreshInterval = TimeSpan.FromMilliseconds(100) });
        ValidateOptionsResult slowest = validator.Validate(null, new ClusterRoutingAdminOptions { ChangePolicy = "change", RefreshInterval = TimeSpan.FromMinutes(1) });

        Assert.True(empty.Failed);
        Assert.Contains("The read policy's name is empty; leave it null to make reads require the change policy.", empty.FailureMessage, StringComparison.Ordinal);
        Assert.True(fastest.Succeeded);
        Assert.True(slowest.Succeeded);
    }

    [Fact]
    public void Map_WithAnUndefinedPolicy_FailsNamingIt()
    {
        using WebApplication app = Build(services => services.AddClusterRoutingAdmin(o =>
        {
            o.ChangePolicy = "change";
            o.ReadPolicy = "raed";
        }));

        var ex = Assert.Throws<InvalidOperationException>(() => app.MapClusterRoutingAdmin("/cluster-routing"));

        Assert.Contains("'raed'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_WithoutTheConsolesServices_FailsSayingWhatToCall()
    {
        using WebApplication app = Build(_ => { });

        var ex = Assert.Throws<InvalidOperationException>(() => app.MapClusterRoutingAdmin("/cluster-routing"));

        Assert.Contains("AddClusterRoutingAdmin", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(50)]
    [InlineData(61_000)]
    public void Map_WithARefreshIntervalOutOfRange_FailsNamingIt(int milliseconds)
    {
        using WebApplication app = Build(services => services.AddClusterRoutingAdmin(o =>
        {
            o.ChangePolicy = "change";
            o.RefreshInterval = TimeSpan.FromMilliseconds(milliseconds);
        }));

        var ex = Assert.Throws<OptionsValidationException>(() => app.MapClusterRoutingAdmin("/cluster-routing"));

        Assert.Contains("RefreshInterval", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reads_WithNoReadPolicy_RequireTheChangePolicy()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync(configureAdmin: o => o.ReadPolicy = null);
        using HttpClient reader = host.Client(TestUsers.Reader);
        using HttpClient operatorClient = host.Client(TestUsers.Operator);

        foreach (AdminRequest request in AdminRequest.Reads)
        {
            using HttpResponseMessage refused = await request.SendAsync(reader);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            using HttpResponseMessage allowed = await request.SendAsync(operatorClient);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }
    }

    [Fact]
    public async Task Console_InAnAppWithoutCors_ServesEveryRequest()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync(cors: false);
        using HttpClient operatorClient = host.Client(TestUsers.Operator);

        foreach (AdminRequest request in AdminRequest.All)
        {
            using HttpResponseMessage response = await request.SendAsync(operatorClient);
            Assert.True(response.IsSuccessStatusCode, $"{request}: {response.StatusCode}");
        }
    }

    private static WebApplication Build(Action<IServiceCollection> configure)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddClusterRouting().AddCluster("sales", o => o.Members.Add(new ClusterMemberOptions("gw-1")));
        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy("read", p => p.RequireAuthenticatedUser());
            o.AddPolicy("change", p => p.RequireAuthenticatedUser());
        });
        configure(builder.Services);
        return builder.Build();
    }
}
