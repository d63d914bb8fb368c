using ClusterRouting.Testing;
using ClusterRouting.AspNetCore.Tests.TestSupport;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.AspNetCore.Tests.Limits;

/// <summary>The admission state on its own: the counter, the verdict's precedence, log episodes and metrics.</summary>
public sealed class MemberLimiterTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeLogger _logger = new();

    public void Dispose() => _services.Dispose();

    [Fact]
    public void TryAdmit_UpToTheLimit_AdmitsThenRefusesConcurrency()
    {
        MemberLimiter limiter = Create(new MemberLimitsOptions { ConcurrentOperationLimitPreview = 3 });

        Assert.Equal(MemberLimit.None, limiter.TryAdmit(out _));
        Assert.Equal(MemberLimit.None, limiter.TryAdmit(out _));
        Assert.Equal(MemberLimit.None, limiter.TryAdmit(out _));
        Assert.Equal(MemberLimit.Concurrency, limiter.TryAdmit(out _));
        Assert.Equal(3, limiter.InFlight);
        Assert.Equal(MemberLimit.Concurrency, limiter.CurrentLimit());

        limiter.Release();
        Assert.Equal(MemberLimit.None, limiter.CurrentLimit());
        Assert.Equal(MemberLimit.None, limiter.TryAdmit(out _));
    }

    [Fact]
    public void TryAdmit_OverCpu_RefusesWithoutTakingASlot()
    {
        MemberLimiter limiter = Create(new MemberLimitsOptions());
        limiter.Publish(new LoadVerdict(90, 10, MemberLimit.Cpu, TimeSpan.FromSeconds(30)));

        Assert.Equal(MemberLimit.Cpu, limiter.TryAdmit(out LoadVerdict verdict));
        Assert.Equal("30", verdict.RetryAfterText);
        Assert.Equal(0, limiter.InFlight);
    }

    [Fact]
    public void TryAdmit_ManyThreadsAtOnce_NeverAdmitsPastTheLimit()
    {
        const int Limit = 7;
        MemberLimiter limiter = Create(new MemberLimitsOptions { ConcurrentOperationLimitPreview = Limit });
        int highest = 0;
        int violations = 0;

        Parallel.For(0, 200_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            if (limiter.TryAdmit(out _) == MemberLimit.None)
            {
                int now = limiter.InFlight;
                if (now > Limit)
                {
                    Interlocked.Increment(ref violations);
                }

                InterlockedMax(ref highest, now);
                limiter.Release();
            }
        });

        Assert.Equal(0, violations);
        Assert.InRange(highest, 1, Limit);
        Assert.Equal(0, limiter.InFlight);
    }

    [Fact]
    public void OnRefused_FloodOfRefusals_LogsOneStartAndOneStopPerEpisode()
    {
        MemberLimiter limiter = Create(new MemberLimitsOptions { Id = "gw-3", ConcurrentOperationLimitPreview = 1 });
        for (int i = 0; i < 500; i++)
        {
            limiter.OnRefused(MemberLimit.Concurrency);
        }

        limiter.EndQuietEpisodes();
        for (int i = 0; i < 250; i++)
        {
            limiter.OnRefused(MemberLimit.Concurrency);
        }

        limiter.EndQuietEpisodes();
        Assert.Single(Events("RefusalsStarted"));
        Assert.Empty(Events("RefusalsStopped"));

        limiter.EndQuietEpisodes();

        FakeLogRecord started = Assert.Single(Events("RefusalsStarted"));
        Assert.Equal(LogLevel.Warning, started.Level);
        Assert.Equal(200, started.Id.Id);
        Assert.Contains("gw-3", started.Message, StringComparison.Ordinal);
        Assert.Contains("concurrency", started.Message, StringComparison.Ordinal);
        FakeLogRecord stopped = Assert.Single(Events("RefusalsStopped"));
        Assert.Equal(201, stopped.Id.Id);
        Assert.Contains("750 refusals", stopped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnRefused_TwoLimits_LogsEachLimitsEpisodeSeparately()
    {
        MemberLimiter limiter = Create(new MemberLimitsOptions());
        limiter.OnRefused(MemberLimit.Cpu);
        limiter.OnRefused(MemberLimit.Memory);
        limiter.OnRefused(MemberLimit.Cpu);
        limiter.EndQuietEpisodes();
        limiter.OnRefused(MemberLimit.Cpu);
        limiter.EndQuietEpisodes();
        limiter.EndQuietEpisodes();

        Assert.Equal(2, Events("RefusalsStarted").Length);
        FakeLogRecord[] stopped = Events("RefusalsStopped");
        Assert.Equal(2, stopped.Length);
        Assert.Contains(stopped, r => r.Message.Contains("memory limit, after 1 refusals", StringComparison.Ordinal));
        Assert.Contains(stopped, r => r.Message.Contains("CPU", StringComparison.OrdinalIgnoreCase) && r.Message.Contains("after 3 refusals", StringComparison.Ordinal));
    }

    [Fact]
    public void OnRefused_ListenerAttached_CountsRefusalsByLimit()
    {
        MemberLimiter limiter = Create(new MemberLimitsOptions { Id = "gw-9" });
        using var refusals = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), MemberMetrics.MeterName, MemberMetrics.RefusalsName);

        limiter.OnRefused(MemberLimit.Cpu);
        limiter.OnRefused(MemberLimit.Concurrency);
        limiter.OnRefused(MemberLimit.Concurrency);

        IReadOnlyList<CollectedMeasurement<long>> measurements = refusals.GetMeasurementSnapshot();
        Assert.Equal(3, measurements.Count);
        Assert.Equal(2, measurements.Count(m => (string?)m.Tags["cluster_routing.limit"] == "concurrency"));
        Assert.Equal(1, measurements.Count(m => (string?)m.Tags["cluster_routing.limit"] == "cpu"));
        Assert.All(measurements, m => Assert.Equal("gw-9", m.Tags["cluster_routing.member.id"]));
    }

    [Fact]
    public void InFlightInstrument_Collected_ReportsRequestsInFlight()
    {
        MemberLimiter limiter = Create(new MemberLimitsOptions());
        using var inFlight = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), MemberMetrics.MeterName, MemberMetrics.InFlightName);
        limiter.TryAdmit(out _);
        limiter.TryAdmit(out _);

        inFlight.RecordObservableInstruments();

        Assert.Equal(2, inFlight.LastMeasurement?.Value);
    }

    [Fact]
    public void UtilizationInstruments_Collected_ReportTheWindowsAveragesAsRatios_NothingBeforeASample()
    {
        MemberLimiter limiter = Create(new MemberLimitsOptions { Id = "gw-4" });
        IMeterFactory meters = _services.GetRequiredService<IMeterFactory>();
        using var cpu = new MetricCollector<double>(meters, MemberMetrics.MeterName, MemberMetrics.CpuName);
        using var memory = new MetricCollector<double>(meters, MemberMetrics.MeterName, MemberMetrics.MemoryName);

        cpu.RecordObservableInstruments();
        memory.RecordObservableInstruments();
        Assert.Empty(cpu.GetMeasurementSnapshot());
        Assert.Empty(memory.GetMeasurementSnapshot());

        limiter.Publish(new LoadVerdict(45, null, MemberLimit.None, TimeSpan.Zero)); // memory unknown
        cpu.RecordObservableInstruments();
        memory.RecordObservableInstruments();
        Assert.Equal(0.45, cpu.LastMeasurement!.Value, precision: 10);
        Assert.Equal("gw-4", cpu.LastMeasurement.Tags[MemberMetrics.MemberTag]);
        Assert.Empty(memory.GetMeasurementSnapshot());

        limiter.Publish(new LoadVerdict(90, 61.5, MemberLimit.Cpu, TimeSpan.FromSeconds(3)));
        cpu.RecordObservableInstruments();
        memory.RecordObservableInstruments();
        Assert.Equal(0.9, cpu.LastMeasurement!.Value, precision: 10);
        Assert.Equal(0.615, memory.LastMeasurement!.Value, precision: 10);
    }

    [Fact]
    public void UtilizationInstruments_NoLimiterObserved_ReportNothing()
    {
        _ = new MemberMetrics(_services.GetRequiredService<IMeterFactory>());
        using var cpu = new MetricCollector<double>(_services.GetRequiredService<IMeterFactory>(), MemberMetrics.MeterName, MemberMetrics.CpuName);
        using var inFlight = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), MemberMetrics.MeterName, MemberMetrics.InFlightName);

        cpu.RecordObservableInstruments();
        inFlight.RecordObservableInstruments();

        Assert.Empty(cpu.GetMeasurementSnapshot());
        Assert.Empty(inFlight.GetMeasurementSnapshot());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private FakeLogRecord[] Events(string name) => _logger.Collector.GetSnapshot().Where(r => r.Id.Name == name).ToArray();

    [Fact]
    public void OnRefused_LoggerThrows_StillCountsTheRefusal_AndDoesNotThrow()
    {
        // Found by the soak: RefusalsStarted is logged on the request path, so a logger that threw turned the member's
        // 503 refusal into a 500, which a router takes as the member's answer.
        var logger = new ThrowingLogger();
        using var refusals = new MetricCollector<long>(_services.GetRequiredService<IMeterFactory>(), MemberMetrics.MeterName, MemberMetrics.RefusalsName);
        var limiter = new MemberLimiter(new MemberLimitsOptions { ConcurrentOperationLimitPreview = 1 }, logger, new MemberMetrics(_services.GetRequiredService<IMeterFactory>()));

        limiter.OnRefused(MemberLimit.Concurrency);
        limiter.EndQuietEpisodes();
        limiter.EndQuietEpisodes(); // the episode ends: logged

        Assert.Single(refusals.GetMeasurementSnapshot());
        Assert.True(logger.Calls >= 2, $"the logger was called {logger.Calls} times");
    }

    [Fact]
    public void AddHealthPath_ARoutePattern_IsNotALiteralPath()
    {
        MemberLimiter limiter = Create(new MemberLimitsOptions());

        limiter.AddHealthPath("/health/{id}");
        limiter.AddHealthPath("/health/*");

        Assert.False(limiter.IsHealthPath(new PathString("/health/{id}")));
        Assert.False(limiter.IsHealthPath(new PathString("/health/*")));
    }

    [Fact]
    public void AddHealthPath_WithoutALeadingSlash_MatchesThePathWithOne()
    {
        MemberLimiter limiter = Create(new MemberLimitsOptions());

        limiter.AddHealthPath("member/health");

        Assert.True(limiter.IsHealthPath(new PathString("/member/health")));
    }

    [Fact]
    public void KindOf_NotALimit_Throws()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => MemberLimitNames.KindOf((MemberLimit)42));

        Assert.Equal("limit", ex.ParamName);
        Assert.StartsWith("Not a limit.", ex.Message, StringComparison.Ordinal);
    }

    private MemberLimiter Create(MemberLimitsOptions options) =>
        new(options, _logger, new MemberMetrics(_services.GetRequiredService<IMeterFactory>()));
}
