using System.Net;
using ClusterRouting.Http.Tests.EndToEnd;
using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ClusterRouting.Http.Tests.Probing;

/// <summary>
/// The probing service against real servers on 127.0.0.1: answers that are not a member's health (an error status,
/// text that is not the health JSON, one too large, none in time) all count as failed probes; members added, removed
/// or whose cluster is removed at runtime are followed; and the options bind from configuration and fail the host's
/// start when invalid.
/// </summary>
[Collection(EndToEndTests.Name)]
public sealed class HealthProbingServiceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static Action<HealthProbingOptions> FastProbes => o =>
    {
        o.Interval = TimeSpan.FromMilliseconds(100);
        o.UnhealthyInterval = TimeSpan.FromMilliseconds(100);
        o.Timeout = TimeSpan.FromMilliseconds(300);
    };

    [Theory]
    [InlineData("500")]
    [InlineData("text")]
    [InlineData("oversized")]
    [InlineData("slow")]
    public async Task AnAnswerThatIsNotAMembersHealth_FailsTheProbe_AndTheMemberIsReportedOffline(string answer)
    {
        await using HttpMember bad = await HttpMember.StartAsync("gw-1");
        bad.Behavior = answer switch
        {
            "500" => context => { context.Response.StatusCode = 500; return Task.CompletedTask; },
            "text" => context => context.Response.WriteAsync("<html>not a health answer</html>"),
            "oversized" => context => context.Response.WriteAsync("{\"id\":\"" + new string('x', 100_000) + "\"}"),
            _ => async context => await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted),
        };
        await using GatewayMember good = await GatewayMember.StartAsync("gw-2");
        await using Router router = await Router.StartAsync([], o =>
        {
            o.Members.Add(new ClusterMemberOptions("gw-1") { Address = bad.Address });
            o.Members.Add(new ClusterMemberOptions("gw-2") { Address = good.Address });
        }, FastProbes);

        await router.UntilAsync(s => s.Members[0].Health == MemberHealth.Penalized && s.Members[1].Version == "3000.250.5", Bound);

        Assert.Equal(MemberHealth.Online, router.Member("gw-2").Health);
    }

    [Fact]
    public async Task MembersAddedOrRemovedAtRuntime_AreFollowed_AndARemovedClustersProbesStop()
    {
        await using GatewayMember gw1 = await GatewayMember.StartAsync("gw-1");
        await using GatewayMember gw2 = await GatewayMember.StartAsync("gw-2");
        await using Router router = await Router.StartAsync([gw1], probing: FastProbes);
        HealthProbingService service = router.Services.GetRequiredService<HealthProbingService>();
        await router.UntilAsync(_ => service.Probed.Count == 1, Bound);

        router.Cluster.AddMember(new ClusterMemberOptions("gw-2") { Address = gw2.Address });
        await router.UntilAsync(s => service.Probed.Count == 2 && s.Members[1].Version == "3000.250.5", Bound);

        router.Cluster.RemoveMember("gw-1");
        await router.UntilAsync(_ => service.Probed.Keys.Select(k => k.Member).SequenceEqual(["GW-2"]), Bound);

        Assert.True(router.Services.GetRequiredService<IClusterSelectorProvider>().RemoveCluster("gateway"));
        await Router.UntilUnconditionallyAsync(() => service.Probed.Count == 0, Bound);
    }

    [Fact]
    public async Task Options_BindFromConfiguration_AndInvalidOnesFailTheHostsStart_NamingTheField()
    {
        HostApplicationBuilder good = Builder(("Interval", "00:00:07"), ("UnhealthyThreshold", "3"), ("Clusters:0", "gateway"));
        using (IHost host = good.Build())
        {
            HealthProbingOptions options = host.Services.GetRequiredService<IOptions<HealthProbingOptions>>().Value;
            Assert.Equal((TimeSpan.FromSeconds(7), 3, "gateway"), (options.Interval, options.UnhealthyThreshold, options.Clusters.Single()));
        }

        using IHost bad = Builder(("Timeout", "-00:00:01")).Build();
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => bad.StartAsync());
        Assert.Contains(error.Failures, f => f.StartsWith("HealthProbingOptions.Timeout ", StringComparison.Ordinal));
    }

    private static HostApplicationBuilder Builder(params (string Key, string Value)[] probing)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(probing.Select(p => new KeyValuePair<string, string?>("Probing:" + p.Key, p.Value)));
        builder.Services.AddClusterRouting().AddCluster("gateway", o => o.Members.Add(new ClusterMemberOptions("gw-1") { Address = new Uri("http://127.0.0.1:9/") }))
            .AddHealthProbing(builder.Configuration.GetSection("Probing"));
        return builder;
    }
}
