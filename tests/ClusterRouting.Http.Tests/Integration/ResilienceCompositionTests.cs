using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Polly;
using Polly.Timeout;

namespace ClusterRouting.Http.Tests.Integration;

/// <summary>
/// Microsoft.Extensions.Http.Resilience's standard handler outside (the whole request: total timeout, retries, circuit
/// breaker), ClusterRouting inside (which member each attempt goes to), on real Kestrel members.
/// </summary>
public sealed class ResilienceCompositionTests : IAsyncLifetime
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HttpMember[] _members = [];

    public async Task InitializeAsync() => _members = await Members.StartAsync(3);

    public async Task DisposeAsync()
    {
        _gate.TrySetResult();
        await Members.DisposeAllAsync(_members);
    }

    private ServiceProvider Build(Action<HttpStandardResilienceOptions>? resilience = null, string basePath = "", bool logging = false)
    {
        var services = new ServiceCollection();
        if (logging)
        {
            services.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Debug));
        }

        services.AddClusterRouting().AddCluster("refresh", o =>
        {
            foreach (HttpMember member in _members)
            {
                o.Members.Add(new ClusterMemberOptions(member.MemberId) { Address = new Uri(member.Address, basePath) });
            }
        });

        // Order matters: the handler added first is the outer one.
        IHttpClientBuilder client = services.AddHttpClient("refresh", c => c.BaseAddress = new Uri("http://refresh/"));
        client.AddStandardResilienceHandler(o =>
        {
            o.Retry.Delay = TimeSpan.FromMilliseconds(10);
            o.Retry.BackoffType = DelayBackoffType.Constant;
            o.Retry.UseJitter = false;
            resilience?.Invoke(o);
        });
        client.AddClusterRouting("refresh");
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task StandardResilienceOutside_PrimaryDown_EveryRequestAnsweredByTheNextMember()
    {
        await using ServiceProvider provider = Build();
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("refresh");
        IClusterSelector cluster = provider.GetRequiredKeyedService<IClusterSelector>("refresh");
        await _members[0].StopAsync();

        for (int i = 0; i < 20; i++)
        {
            Assert.Equal("gw-2", await client.GetStringAsync("/work"));
        }

        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[0].Health);
        Assert.Equal(20, _members[1].Requests);
    }

    [Fact]
    public async Task StandardResilienceOutside_TransientAnswer_RetriedThroughTheClusterWithTheLogicalAddress()
    {
        await using ServiceProvider provider = Build(basePath: "gw/");
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("refresh");
        int calls = 0;
        _members[0].Behavior = async context =>
        {
            context.Response.StatusCode = Interlocked.Increment(ref calls) == 1 ? StatusCodes.Status500InternalServerError : StatusCodes.Status200OK;
            await context.Response.WriteAsync("gw-1");
        };

        using HttpResponseMessage response = await client.GetAsync("/query?x=1");

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(2, _members[0].Requests);

        // The retry addressed the cluster again: the second attempt was composed from http://refresh/query, not from
        // the first attempt's member address.
        Assert.Equal("/gw/query?x=1", _members[0].LastPathAndQuery);
        Assert.Equal("http://refresh/query?x=1", response.RequestMessage!.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public async Task StandardResilienceOutside_TotalTimeout_EndsTheRequestFreesEverySlotAndPenalizesNobody()
    {
        await using ServiceProvider provider = Build(
            o =>
            {
                o.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(2);
                o.AttemptTimeout.Timeout = TimeSpan.FromMilliseconds(500);
            },
            logging: true);
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("refresh");
        IClusterSelector cluster = provider.GetRequiredKeyedService<IClusterSelector>("refresh");
        foreach (HttpMember member in _members)
        {
            member.Behavior = async context =>
            {
                await _gate.Task;
                await context.Response.WriteAsync(member.MemberId);
            };
        }

        await Assert.ThrowsAsync<TimeoutRejectedException>(() => client.GetStringAsync("/work").WaitAsync(Members.Timeout));

        // Each outer attempt that timed out was routed by the inner handler, the retries included (counted on the
        // client: a canceled attempt may never reach the member's application).
        FakeLogRecord[] routed = provider.GetFakeLogCollector().GetSnapshot().Where(r => r.Id.Name == "RequestRouted").ToArray();
        Assert.True(routed.Length >= 2, $"the outer retry sent the request through the cluster again ({routed.Length} routed)");

        // Polly awaits the canceled attempt before it throws: every slot is free, and no member was penalized for
        // the outer handler's timeouts.
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal((0, 0, MemberHealth.Online), (m.InFlight, m.ConsecutiveOfflineResults, m.Health)));
    }

    [Fact]
    public async Task StandardResilienceOutside_EveryMemberRefusing_TheTypedErrorReachesTheCaller()
    {
        await using ServiceProvider provider = Build();
        HttpClient client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("refresh");
        foreach (HttpMember member in _members)
        {
            member.Behavior = async context =>
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "30";
                await context.Response.WriteAsync(GatewayMessages.Cpu);
            };
        }

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(() => client.GetStringAsync("/work"));
        Assert.Equal(3, error.Attempts.Count);
        var next = await Assert.ThrowsAsync<ClusterThrottledException>(() => client.GetStringAsync("/work"));
        Assert.Equal(GatewayMessages.Cpu, next.Message);
        Assert.Equal([1, 1, 1], _members.Select(m => m.Requests));
    }
}
