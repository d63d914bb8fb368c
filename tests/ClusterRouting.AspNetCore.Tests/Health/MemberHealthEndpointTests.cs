using System.Net;
using System.Text.Json;
using ClusterRouting.AspNetCore.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.AspNetCore.Tests.Health;

/// <summary>The health endpoint: its JSON, and that it answers while the member refuses everything else.</summary>
public class MemberHealthEndpointTests
{
    [Fact]
    public async Task MapClusterMemberHealth_UnderLimits_ReportsIdentityAveragesAndLimits()
    {
        var time = new FakeTimeProvider();
        var source = new ScriptedUtilizationSource(cpuPercent: 20, memoryPercent: 30);
        await using MemberServer member = await MemberServer.StartAsync(
            o =>
            {
                o.Id = "gw-7";
                o.Version = "3000.250.5";
                o.CPUUtilizationPercentageThreshold = 80;
                o.MemoryUtilizationPercentageThreshold = 90;
                o.ResourceUtilizationAggregationTimeInMinutes = 3;
                o.ConcurrentOperationLimitPreview = 12;
                o.SamplingInterval = TimeSpan.FromSeconds(1);
            },
            source,
            time);
        source.Set(cpuPercent: 40, memoryPercent: 50);
        time.Advance(TimeSpan.FromSeconds(1));

        JsonElement health = await member.HealthAsync();

        Assert.Equal("gw-7", health.GetProperty("id").GetString());
        Assert.Equal("3000.250.5", health.GetProperty("version").GetString());
        Assert.True(health.GetProperty("online").GetBoolean());
        Assert.Equal(30, health.GetProperty("cpuPercent").GetDouble(), 6);
        Assert.Equal(40, health.GetProperty("memoryPercent").GetDouble(), 6);
        Assert.Equal(0, health.GetProperty("inFlight").GetInt32());
        Assert.Equal(JsonValueKind.Null, health.GetProperty("overLimit").ValueKind);
        JsonElement limits = health.GetProperty("limits");
        Assert.Equal(80, limits.GetProperty("cpuUtilizationPercentageThreshold").GetDouble());
        Assert.Equal(90, limits.GetProperty("memoryUtilizationPercentageThreshold").GetDouble());
        Assert.Equal(3, limits.GetProperty("resourceUtilizationAggregationTimeInMinutes").GetInt32());
        Assert.Equal(12, limits.GetProperty("concurrentOperationLimitPreview").GetInt32());
        Assert.False(limits.GetProperty("bypassConcurrentOperationLimit").GetBoolean());
        using HttpResponseMessage response = await member.Client.GetAsync(new Uri(MemberServer.HealthPath, UriKind.Relative));
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task MapClusterMemberHealth_NoSampleInWindow_ReportsNullAverages()
    {
        await using MemberServer member = await MemberServer.StartAsync(o => o.Id = "gw-1", new ScriptedUtilizationSource(cpuPercent: null, memoryPercent: null), new FakeTimeProvider());

        JsonElement health = await member.HealthAsync();

        Assert.Equal(JsonValueKind.Null, health.GetProperty("cpuPercent").ValueKind);
        Assert.Equal(JsonValueKind.Null, health.GetProperty("memoryPercent").ValueKind);
        Assert.Equal(JsonValueKind.Null, health.GetProperty("version").ValueKind);
    }

    [Fact]
    public async Task MapClusterMemberHealth_MemberOverCpuLimit_AnswersAndNamesTheLimit()
    {
        await using MemberServer member = await MemberServer.StartAsync(o => o.CPUUtilizationPercentageThreshold = 60, new ScriptedUtilizationSource(cpuPercent: 99, memoryPercent: 5), new FakeTimeProvider());
        using (HttpResponseMessage refused = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        }

        JsonElement health = await member.HealthAsync();

        Assert.Equal("cpu", health.GetProperty("overLimit").GetString());
        Assert.Equal(99, health.GetProperty("cpuPercent").GetDouble(), 6);
    }

    [Fact]
    public async Task MapClusterMemberHealth_MemberAtConcurrencyLimit_AnswersAndIsNotCounted()
    {
        await using MemberServer member = await MemberServer.StartAsync(o => o.ConcurrentOperationLimitPreview = 2, new ScriptedUtilizationSource(), new FakeTimeProvider());
        Task<HttpResponseMessage>[] held = [member.Client.GetAsync(new Uri("/slow", UriKind.Relative)), member.Client.GetAsync(new Uri("/slow", UriKind.Relative))];
        await Waits.UntilAsync(() => member.SlowEntered == 2, "both slots are taken");

        // Many health requests at once while full: none is refused and none takes a slot.
        JsonElement[] answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => member.HealthAsync())).WaitAsync(Waits.Default);

        Assert.All(answers, health => Assert.Equal("concurrency", health.GetProperty("overLimit").GetString()));
        Assert.All(answers, health => Assert.Equal(2, health.GetProperty("inFlight").GetInt32()));
        member.OpenGate();
        foreach (HttpResponseMessage response in await Task.WhenAll(held).WaitAsync(Waits.Default))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }
    }

    [Fact]
    public async Task MapClusterMemberHealth_LimitsBeforeRoutingAndMemberFull_HealthAnswersOtherRequestsAreRefused()
    {
        await using MemberServer member = await MemberServer.StartAsync(o => o.ConcurrentOperationLimitPreview = 1, new ScriptedUtilizationSource(), new FakeTimeProvider(), limitsBeforeRouting: true);
        Task<HttpResponseMessage> held = member.Client.GetAsync(new Uri("/slow", UriKind.Relative));
        await Waits.UntilAsync(() => member.SlowEntered == 1, "the only slot is taken");

        JsonElement health = await member.HealthAsync();
        using (HttpResponseMessage refused = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative)))
        {
            await Refusal.AssertRefusedAsync(refused, "concurrency");
        }

        Assert.Equal("concurrency", health.GetProperty("overLimit").GetString());
        Assert.Equal(1, health.GetProperty("inFlight").GetInt32());
        member.OpenGate();
        using HttpResponseMessage served = await held.WaitAsync(Waits.Default);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }
}
