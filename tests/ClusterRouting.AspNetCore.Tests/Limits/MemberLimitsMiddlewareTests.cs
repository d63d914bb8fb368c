using System.Net;
using System.Text.Json;
using ClusterRouting.AspNetCore.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.AspNetCore.Tests.Limits;

/// <summary>The middleware on a real Kestrel member: admission below the limits, each refusal's exact form, the health endpoint.</summary>
public class MemberLimitsMiddlewareTests
{
    [Fact]
    public async Task UseClusterMemberLimits_UnderEveryLimit_AdmitsAndReleases()
    {
        var source = new ScriptedUtilizationSource(cpuPercent: 50, memoryPercent: 50);
        await using MemberServer member = await MemberServer.StartAsync(
            o => { o.CPUUtilizationPercentageThreshold = 80; o.MemoryUtilizationPercentageThreshold = 80; o.ConcurrentOperationLimitPreview = 2; },
            source,
            new FakeTimeProvider());

        for (int i = 0; i < 5; i++)
        {
            using HttpResponseMessage response = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(0, member.Limiter.InFlight);
    }

    [Fact]
    public async Task UseClusterMemberLimits_AtConcurrencyLimit_RefusesWithSentenceHeadersAndRetryAfterOneSecond()
    {
        await using MemberServer member = await MemberServer.StartAsync(o => o.ConcurrentOperationLimitPreview = 1, new ScriptedUtilizationSource(), new FakeTimeProvider());
        Task<HttpResponseMessage> held = member.Client.GetAsync(new Uri("/slow", UriKind.Relative));
        await Waits.UntilAsync(() => member.SlowEntered == 1, "the first request is in /slow");

        using (HttpResponseMessage refused = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative)))
        {
            await Refusal.AssertRefusedAsync(refused, "concurrency", retryAfterSeconds: 1);
        }

        // The refusal starts an episode, logged once; an endpoint exempt from the limits still answers.
        Assert.Single(member.Logs.GetSnapshot(), r => r.Id.Name == "RefusalsStarted");
        using (HttpResponseMessage exempt = await member.Client.GetAsync(new Uri("/exempt", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, exempt.StatusCode);
            Assert.Equal("exempt", await exempt.Content.ReadAsStringAsync());
        }

        member.OpenGate();
        using HttpResponseMessage first = await held.WaitAsync(Waits.Default);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await Waits.UntilAsync(() => member.Limiter.InFlight == 0, "the slot is released");
        using HttpResponseMessage after = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task UseClusterMemberLimits_CpuAverageAtThreshold_RefusesWithCpuSentence()
    {
        var time = new FakeTimeProvider();
        await using MemberServer member = await MemberServer.StartAsync(
            o => { o.CPUUtilizationPercentageThreshold = 80; o.ResourceUtilizationAggregationTimeInMinutes = 1; o.SamplingInterval = TimeSpan.FromSeconds(1); },
            new ScriptedUtilizationSource(cpuPercent: 80, memoryPercent: 10),
            time);

        // The first sample (at start) is at the threshold: "at or over" refuses. It leaves the 1-minute window 60 s later.
        using HttpResponseMessage response = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative));
        await Refusal.AssertRefusedAsync(response, "cpu", retryAfterSeconds: 60);
    }

    [Fact]
    public async Task UseClusterMemberLimits_MemoryAverageOverThreshold_RefusesWithMemorySentence()
    {
        await using MemberServer member = await MemberServer.StartAsync(
            o => { o.CPUUtilizationPercentageThreshold = 80; o.MemoryUtilizationPercentageThreshold = 70; o.ResourceUtilizationAggregationTimeInMinutes = 2; },
            new ScriptedUtilizationSource(cpuPercent: 10, memoryPercent: 71),
            new FakeTimeProvider());

        using HttpResponseMessage response = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative));
        await Refusal.AssertRefusedAsync(response, "memory", retryAfterSeconds: 120);
    }

    [Fact]
    public async Task UseClusterMemberLimits_CpuAndMemoryBothOver_NamesCpuFirst()
    {
        await using MemberServer member = await MemberServer.StartAsync(
            o => { o.CPUUtilizationPercentageThreshold = 50; o.MemoryUtilizationPercentageThreshold = 50; },
            new ScriptedUtilizationSource(cpuPercent: 90, memoryPercent: 90),
            new FakeTimeProvider());

        using HttpResponseMessage response = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative));
        await Refusal.AssertRefusedAsync(response, "cpu");
    }

    [Fact]
    public async Task UseClusterMemberLimits_ThresholdZero_NeverRefusesForCpuOrMemory()
    {
        await using MemberServer member = await MemberServer.StartAsync(
            o => { o.CPUUtilizationPercentageThreshold = 0; o.MemoryUtilizationPercentageThreshold = 0; },
            new ScriptedUtilizationSource(cpuPercent: 100, memoryPercent: 100),
            new FakeTimeProvider());

        using HttpResponseMessage response = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task UseClusterMemberLimits_CpuSpikeLeavesWindow_AdmitsAgainExactlyWhenItLeaves()
    {
        var time = new FakeTimeProvider();
        var source = new ScriptedUtilizationSource(cpuPercent: 95, memoryPercent: null);
        await using MemberServer member = await MemberServer.StartAsync(
            o => { o.CPUUtilizationPercentageThreshold = 80; o.ResourceUtilizationAggregationTimeInMinutes = 1; o.SamplingInterval = TimeSpan.FromSeconds(1); },
            source,
            time);

        // One spike at t = 0, then samples with no CPU figure: only the spike is in the window until it leaves.
        source.Set(cpuPercent: null, memoryPercent: 20);
        await AdvanceAsync(time, seconds: 59);
        using (HttpResponseMessage atFiftyNine = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative)))
        {
            await Refusal.AssertRefusedAsync(atFiftyNine, "cpu", retryAfterSeconds: 1);
        }

        await AdvanceAsync(time, seconds: 1);
        using HttpResponseMessage atSixty = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, atSixty.StatusCode);
        JsonElement health = await member.HealthAsync();
        Assert.Equal(JsonValueKind.Null, health.GetProperty("cpuPercent").ValueKind);
    }

    [Fact]
    public async Task UseClusterMemberLimits_LowSamplesPullAverageUnderThreshold_AdmitsAgain()
    {
        var time = new FakeTimeProvider();
        var source = new ScriptedUtilizationSource(cpuPercent: 100, memoryPercent: 10);
        await using MemberServer member = await MemberServer.StartAsync(
            o => { o.CPUUtilizationPercentageThreshold = 50; o.SamplingInterval = TimeSpan.FromSeconds(5); },
            source,
            time);

        using (HttpResponseMessage over = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative)))
        {
            await Refusal.AssertRefusedAsync(over, "cpu");
        }

        // 100 then 0: average 50, still at the threshold; one more 0: 33.3, under it.
        source.Set(cpuPercent: 0, memoryPercent: 10);
        await AdvanceAsync(time, seconds: 5);
        using (HttpResponseMessage atThreshold = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative)))
        {
            await Refusal.AssertRefusedAsync(atThreshold, "cpu");
        }

        await AdvanceAsync(time, seconds: 5);
        using HttpResponseMessage under = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, under.StatusCode);
    }

    [Fact]
    public async Task UseClusterMemberLimits_LoadRisesAfterAdmission_AdmittedRequestIsStillServed()
    {
        var time = new FakeTimeProvider();
        var source = new ScriptedUtilizationSource(cpuPercent: 10, memoryPercent: 10);
        await using MemberServer member = await MemberServer.StartAsync(
            o => { o.CPUUtilizationPercentageThreshold = 50; o.SamplingInterval = TimeSpan.FromSeconds(1); },
            source,
            time);
        Task<HttpResponseMessage> admitted = member.Client.GetAsync(new Uri("/slow", UriKind.Relative));
        await Waits.UntilAsync(() => member.SlowEntered == 1, "the request is admitted");

        source.Set(cpuPercent: 100, memoryPercent: 10);
        await AdvanceAsync(time, seconds: 1);
        using (HttpResponseMessage refused = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative)))
        {
            await Refusal.AssertRefusedAsync(refused, "cpu");
        }

        member.OpenGate();
        using HttpResponseMessage served = await admitted.WaitAsync(Waits.Default);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("slow", await served.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UseClusterMemberLimits_Bypassed_AdmitsPastTheLimitAndStillCounts()
    {
        await using MemberServer member = await MemberServer.StartAsync(
            o => { o.ConcurrentOperationLimitPreview = 1; o.BypassConcurrentOperationLimit = true; },
            new ScriptedUtilizationSource(),
            new FakeTimeProvider());
        Task<HttpResponseMessage>[] requests = Enumerable.Range(0, 4).Select(_ => member.Client.GetAsync(new Uri("/slow", UriKind.Relative))).ToArray();
        await Waits.UntilAsync(() => member.SlowEntered == 4, "all four requests are admitted");

        JsonElement health = await member.HealthAsync();
        Assert.Equal(4, health.GetProperty("inFlight").GetInt32());
        Assert.Equal(JsonValueKind.Null, health.GetProperty("limits").GetProperty("concurrentOperationLimitPreview").ValueKind);
        Assert.Equal(JsonValueKind.Null, health.GetProperty("overLimit").ValueKind);

        member.OpenGate();
        foreach (HttpResponseMessage response in await Task.WhenAll(requests).WaitAsync(Waits.Default))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        await Waits.UntilAsync(() => member.Limiter.InFlight == 0, "every slot is released");
    }

    [Fact]
    public async Task UseClusterMemberLimits_EndpointThrows_ReleasesItsSlot()
    {
        await using MemberServer member = await MemberServer.StartAsync(o => o.ConcurrentOperationLimitPreview = 1, new ScriptedUtilizationSource(), new FakeTimeProvider());

        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage failed = await member.Client.GetAsync(new Uri("/throw", UriKind.Relative));
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        }

        await Waits.UntilAsync(() => member.Limiter.InFlight == 0, "the failed requests' slots are released");
        using HttpResponseMessage next = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task UseClusterMemberLimits_ClientAbortsRequest_ReleasesItsSlot()
    {
        await using MemberServer member = await MemberServer.StartAsync(o => o.ConcurrentOperationLimitPreview = 1, new ScriptedUtilizationSource(), new FakeTimeProvider());
        using var abort = new CancellationTokenSource();
        Task<HttpResponseMessage> aborted = member.Client.GetAsync(new Uri("/slow", UriKind.Relative), abort.Token);
        await Waits.UntilAsync(() => member.SlowEntered == 1, "the request is admitted");
        Assert.Equal(1, member.Limiter.InFlight);

        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => aborted.WaitAsync(Waits.Default));
        await Waits.UntilAsync(() => member.Limiter.InFlight == 0, "the aborted request's slot is released");
        Assert.Equal(0, member.SlowCompleted);

        using HttpResponseMessage next = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    private static async Task AdvanceAsync(FakeTimeProvider time, int seconds)
    {
        // One second at a time, so that the sampler's periodic timer fires once per interval.
        for (int i = 0; i < seconds; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        await Task.Yield();
    }
}
