using ClusterRouting.AspNetCore;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace ClusterRouting.Http.Tests.EndToEnd;

/// <summary>
/// The whole cluster on one machine: real members (Kestrel on 127.0.0.1 with the member's half) and a router that
/// probes them and routes HttpClient requests to them. Times are real, so every wait is bounded; the figures each test
/// measured are written to its output.
/// </summary>
[Collection(EndToEndTests.Name)]
[Trait("Category", "EndToEnd")]
public sealed class ActiveHealthEndToEndTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static Action<HealthProbingOptions> FastProbes => o =>
    {
        o.Interval = TimeSpan.FromMilliseconds(200);
        o.UnhealthyInterval = TimeSpan.FromMilliseconds(100);
        o.Timeout = TimeSpan.FromSeconds(1);
    };

    [Fact]
    public async Task MemberStoppedWhileIdle_IsFoundByProbes_BeforeAnyRequest_AndNoRequestIsWastedOnIt()
    {
        await using GatewayMember gw1 = await GatewayMember.StartAsync("gw-1");
        await using GatewayMember gw2 = await GatewayMember.StartAsync("gw-2");
        await using GatewayMember gw3 = await GatewayMember.StartAsync("gw-3");
        await using Router router = await Router.StartAsync([gw1, gw2, gw3], o => o.Mode = SelectionMode.RoundRobin, FastProbes);
        await router.UntilAsync(s => s.Members.All(m => m.Version == "3000.250.5"), Bound); // every member probed once

        await gw3.StopAsync();
        TimeSpan detected = await router.UntilAsync(s => s.Members[2].Health == MemberHealth.Penalized, Bound);

        // 300 requests, 10 at a time: well within the two members left (a penalized member is still tried when every
        // other member is at its limit, so an overload would send it requests).
        string[] servedBy = await Concurrently(router, total: 300, atOnce: 10);

        Assert.Equal(0, router.OfflineAttempts);
        Assert.DoesNotContain("gw-3", servedBy);
        Assert.Equal(300, gw1.Served + gw2.Served);

        // Back on the same port: the next probe restores it, and it takes work again.
        await gw3.RestartAsync();
        TimeSpan restored = await router.UntilAsync(s => s.Members[2].Health == MemberHealth.Online, Bound);
        string[] after = await Concurrently(router, total: 30, atOnce: 3);
        Assert.Contains("gw-3", after);
        Assert.Equal(0, router.OfflineAttempts);
        output.WriteLine($"stopped member found by probes in {detected.TotalMilliseconds:0} ms; 300 requests, {router.OfflineAttempts} wasted; restarted member restored in {restored.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task MemberOverItsCpuThreshold_StopsGettingWork_WithinAProbeInterval_AndGetsItBackWhenItsAverageFalls()
    {
        var memberClock = new FakeTimeProvider();
        var load = new ScriptedLoad(cpuPercent: 10, memoryPercent: 10);
        Action<MemberLimitsOptions> limits = o =>
        {
            o.CPUUtilizationPercentageThreshold = 80;
            o.ResourceUtilizationAggregationTimeInMinutes = 1;
            o.SamplingInterval = TimeSpan.FromSeconds(1);
        };
        await using GatewayMember gw1 = await GatewayMember.StartAsync("gw-1", limits, load, memberClock);
        await using GatewayMember gw2 = await GatewayMember.StartAsync("gw-2", limits);
        await using Router router = await Router.StartAsync([gw1, gw2], probing: FastProbes);
        await AdvanceAsync(memberClock, seconds: 1);
        await router.UntilAsync(s => s.Members[0].CpuPercent == 10, Bound);
        Assert.Equal(["gw-1", "gw-1", "gw-1"], await Work(router, 3));

        // The member's CPU average goes over its threshold: the member says so in its health answer.
        load.Set(cpuPercent: 95, memoryPercent: 10);
        await AdvanceAsync(memberClock, seconds: 60);
        TimeSpan noticed = await router.UntilAsync(s => s.Members[0].Throttle == MemberRejectionReason.CpuLimit, Bound);
        int servedBefore = gw1.Served;
        Assert.All(await Work(router, 20), id => Assert.Equal("gw-2", id));
        Assert.Equal(servedBefore, gw1.Served);

        // Its average falls back under the threshold: it gets the work again.
        load.Set(cpuPercent: 10, memoryPercent: 10);
        await AdvanceAsync(memberClock, seconds: 60);
        TimeSpan back = await router.UntilAsync(s => s.Members[0].Throttle == MemberRejectionReason.None && s.Members[0].CpuPercent == 10, Bound);
        Assert.Equal(["gw-1", "gw-1"], await Work(router, 2));
        Assert.Equal(0, router.OfflineAttempts);
        output.WriteLine($"probe interval 200 ms: hot member routed around {noticed.TotalMilliseconds:0} ms after its average crossed; given work again {back.TotalMilliseconds:0} ms after it fell");
        Assert.True(noticed < TimeSpan.FromSeconds(2), $"the router took {noticed} to notice a member over its threshold, with probes every 200 ms");
    }

    [Fact]
    public async Task MemberMadeBusyForReal_IsRoutedAround_OnItsOwnMeasurement()
    {
        Action<MemberLimitsOptions> limits = o =>
        {
            // Low enough that spinners sharing two cores with other test processes (the soak, the browser tests, run
            // at the same time by `dotnet test` of the solution) still cross it: at 40 % they once got 15 % of the machine.
            o.CPUUtilizationPercentageThreshold = 25;
            o.ResourceUtilizationAggregationTimeInMinutes = 1;
            o.SamplingInterval = TimeSpan.FromMilliseconds(100);
        };
        await using GatewayMember gw1 = await GatewayMember.StartAsync("gw-1", limits);
        await using GatewayMember gw2 = await GatewayMember.StartAsync("gw-2");
        await using Router router = await Router.StartAsync([gw1, gw2], probing: FastProbes);
        await router.UntilAsync(s => s.Members.All(m => m.Version is not null), Bound);

        // Both cores busy: this process is the member, and the default source measures it.
        using var stop = new CancellationTokenSource();
        Thread[] spinners = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Thread.SpinWait(1_000);
            }
        }) { IsBackground = true }).ToArray();
        foreach (Thread spinner in spinners)
        {
            spinner.Start();
        }

        TimeSpan noticed;
        try
        {
            noticed = await router.UntilAsync(s => s.Members[0].Throttle == MemberRejectionReason.CpuLimit, TimeSpan.FromSeconds(40));
        }
        finally
        {
            await stop.CancelAsync();
            foreach (Thread spinner in spinners)
            {
                spinner.Join();
            }
        }

        int servedBefore = gw1.Served;
        Assert.All(await Work(router, 5), id => Assert.Equal("gw-2", id));
        Assert.Equal(servedBefore, gw1.Served);
        output.WriteLine($"busy loop on {spinners.Length} threads: member over 25 % CPU routed around after {noticed.TotalMilliseconds:0} ms; CPU it reported {router.Member("gw-1").CpuPercent:0.0} %");
    }

    private static async Task<string[]> Concurrently(Router router, int total, int atOnce)
    {
        var served = new string[total];
        int next = -1;
        await Task.WhenAll(Enumerable.Range(0, atOnce).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < total)
            {
                served[i] = await router.WorkAsync();
            }
        }));
        return served;
    }

    private static async Task<string[]> Work(Router router, int count)
    {
        var served = new string[count];
        for (int i = 0; i < count; i++)
        {
            served[i] = await router.WorkAsync();
        }

        return served;
    }

    private static async Task AdvanceAsync(FakeTimeProvider time, int seconds)
    {
        // One second at a time, so that the member's sampler fires once per interval.
        for (int i = 0; i < seconds; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        await Task.Yield();
    }
}

/// <summary>A member's load as the test sets it.</summary>
internal sealed class ScriptedLoad(double? cpuPercent, double? memoryPercent) : IMemberUtilizationSource
{
    private readonly Lock _gate = new();
    private UtilizationSample _next = new(cpuPercent, memoryPercent);

    public void Set(double? cpuPercent, double? memoryPercent)
    {
        lock (_gate)
        {
            _next = new UtilizationSample(cpuPercent, memoryPercent);
        }
    }

    public UtilizationSample Measure()
    {
        lock (_gate)
        {
            return _next;
        }
    }
}

/// <summary>End-to-end tests measure real time and one of them loads both cores: they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndTests
{
    public const string Name = "End to end";
}
