using System.Diagnostics;
using ClusterRouting.Testing;
using ClusterRouting.AspNetCore.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.AspNetCore.Tests.Measurement;

/// <summary>The sampler on its own, on a fake clock: what it publishes, what it logs, and a source that misbehaves.</summary>
public sealed class MemberLoadSamplerTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeLogger _logger = new();
    private readonly FakeTimeProvider _time = new();
    private readonly ScriptedUtilizationSource _source = new(cpuPercent: 10, memoryPercent: 10);

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task StartAsync_TimerFiresEachInterval_SamplesOncePerInterval()
    {
        (MemberLimiter _, MemberLoadSampler sampler) = Create(new MemberLimitsOptions { SamplingInterval = TimeSpan.FromSeconds(5) });
        await sampler.StartAsync(CancellationToken.None);
        Assert.Equal(1, _source.Calls);

        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(1, _source.Calls);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, _source.Calls);

        await sampler.StopAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, _source.Calls);
    }

    [Fact]
    public void Sample_SourceThrows_LogsAndKeepsThePreviousVerdict()
    {
        (MemberLimiter limiter, MemberLoadSampler sampler) = Create(new MemberLimitsOptions { CPUUtilizationPercentageThreshold = 50 });
        _source.Set(cpuPercent: 90, memoryPercent: 10);
        sampler.Sample();
        LoadVerdict before = limiter.Verdict;

        _source.Throw = new InvalidOperationException("counter unavailable");
        sampler.Sample();

        Assert.Same(before, limiter.Verdict);
        FakeLogRecord failed = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "MeasurementFailed");
        Assert.Equal(204, failed.Id.Id);
        Assert.IsType<InvalidOperationException>(failed.Exception);
    }

    [Theory]
    [InlineData(double.NaN, null)]
    [InlineData(-1d, null)]
    [InlineData(double.PositiveInfinity, null)]
    [InlineData(150d, 100d)]
    [InlineData(42.5, 42.5)]
    public void Sample_OutOfRangeValue_IsDroppedOrCapped(double reported, double? averaged)
    {
        (MemberLimiter limiter, MemberLoadSampler sampler) = Create(new MemberLimitsOptions());
        _source.Set(cpuPercent: reported, memoryPercent: reported);

        sampler.Sample();

        Assert.Equal(averaged, limiter.Verdict.CpuPercent);
        Assert.Equal(averaged, limiter.Verdict.MemoryPercent);
    }

    [Fact]
    public void Sample_AverageCrossesThresholdBothWays_LogsReachedAndClearedOnce()
    {
        (MemberLimiter _, MemberLoadSampler sampler) = Create(new MemberLimitsOptions { Id = "gw-5", MemoryUtilizationPercentageThreshold = 70, ResourceUtilizationAggregationTimeInMinutes = 1 });
        _source.Set(cpuPercent: null, memoryPercent: 90);
        sampler.Sample();
        _time.Advance(TimeSpan.FromSeconds(1));
        sampler.Sample();
        _source.Set(cpuPercent: null, memoryPercent: null);
        _time.Advance(TimeSpan.FromSeconds(60));
        sampler.Sample();

        FakeLogRecord reached = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "UtilizationLimitReached");
        Assert.Contains("gw-5", reached.Message, StringComparison.Ordinal);
        Assert.Contains("memory", reached.Message, StringComparison.Ordinal);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "UtilizationLimitCleared");
    }

    [Fact]
    public void Sample_RefusalsStopBetweenSamples_EndsTheEpisode()
    {
        (MemberLimiter limiter, MemberLoadSampler sampler) = Create(new MemberLimitsOptions());
        limiter.OnRefused(MemberLimit.Concurrency);
        sampler.Sample();
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), r => r.Id.Name == "RefusalsStopped");

        sampler.Sample();

        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "RefusalsStopped");
    }

    [Fact]
    public async Task Sample_LoggerThrows_PublishesTheVerdict_AndNothingReachesTheTimer()
    {
        // Found by the soak: a logger that threw while the sampler logged a limit (and then while it logged that
        // failure) escaped the timer callback, which ends the process on a real timer.
        var logger = new ThrowingLogger();
        var options = new MemberLimitsOptions { CPUUtilizationPercentageThreshold = 50, SamplingInterval = TimeSpan.FromSeconds(1) };
        var limiter = new MemberLimiter(options, logger, new MemberMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        var sampler = new MemberLoadSampler(limiter, _source, _time, logger);
        await sampler.StartAsync(CancellationToken.None);
        limiter.OnRefused(MemberLimit.Concurrency); // an episode the next quiet sample ends, with a log line

        _source.Set(cpuPercent: 90, memoryPercent: 10);
        _time.Advance(TimeSpan.FromSeconds(1)); // the timer samples: over the threshold, logged
        Assert.Equal(MemberLimit.Cpu, limiter.Verdict.Limit);

        _source.Throw = new InvalidOperationException("counter unavailable");
        _time.Advance(TimeSpan.FromSeconds(1)); // the source fails, logged
        _source.Throw = null;
        _source.Set(cpuPercent: 10, memoryPercent: 10);
        sampler.Sample();
        Assert.Equal(MemberLimit.None, limiter.Verdict.Limit);
        Assert.True(logger.Calls >= 3, $"the logger was called {logger.Calls} times");
        await sampler.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task StartAsync_CreatesItsTimerWithoutTheCallersContext_AndRestoresTheFlow()
    {
        var time = new FlowRecordingTimeProvider();
        var limiter = new MemberLimiter(new MemberLimitsOptions(), _logger, new MemberMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        var sampler = new MemberLoadSampler(limiter, _source, time, _logger);

        Task start = sampler.StartAsync(CancellationToken.None);

        Assert.True(start.IsCompletedSuccessfully);
        Assert.True(time.FlowSuppressedAtCreate, "the timer would capture the caller's ExecutionContext");
        Assert.False(ExecutionContext.IsFlowSuppressed(), "the caller's flow is left suppressed");
        await sampler.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void Sample_AClockThatWentBack_CountsTheSampleAtTheStart()
    {
        // The sampler starts at 1,000 s; the clock then reads 0, 1,000 s before the start (a small step back would round to 0).
        var time = new SettableTimestampProvider { Timestamp = 1_000 * Stopwatch.Frequency };
        var limiter = new MemberLimiter(new MemberLimitsOptions(), _logger, new MemberMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        var sampler = new MemberLoadSampler(limiter, _source, time, _logger);
        time.Timestamp = 0;

        sampler.Sample();

        Assert.Equal(10, limiter.Verdict.CpuPercent);
        Assert.Empty(_logger.Collector.GetSnapshot());
    }

    [Fact]
    public async Task StartAsync_FlowAlreadySuppressed_LeavesItSuppressed()
    {
        var time = new FlowRecordingTimeProvider();
        var limiter = new MemberLimiter(new MemberLimitsOptions(), _logger, new MemberMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        var sampler = new MemberLoadSampler(limiter, _source, time, _logger);

        using (ExecutionContext.SuppressFlow())
        {
            Task start = sampler.StartAsync(CancellationToken.None);

            Assert.True(start.IsCompletedSuccessfully);
            Assert.True(time.FlowSuppressedAtCreate);
            Assert.True(ExecutionContext.IsFlowSuppressed(), "the caller's own suppression was undone");
        }

        await sampler.StopAsync(CancellationToken.None);
    }

    private (MemberLimiter Limiter, MemberLoadSampler Sampler) Create(MemberLimitsOptions options)
    {
        var limiter = new MemberLimiter(options, _logger, new MemberMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        return (limiter, new MemberLoadSampler(limiter, _source, _time, _logger));
    }
}

/// <summary>The system clock, whose timers never fire, noting whether the ExecutionContext flow was suppressed when one was created.</summary>
internal sealed class FlowRecordingTimeProvider : TimeProvider
{
    public bool? FlowSuppressedAtCreate { get; private set; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        FlowSuppressedAtCreate = ExecutionContext.IsFlowSuppressed();
        return base.CreateTimer(callback, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }
}

/// <summary>A clock whose timestamp the test sets, backwards too.</summary>
internal sealed class SettableTimestampProvider : TimeProvider
{
    public long Timestamp { get; set; }

    public override long GetTimestamp() => Timestamp;
}
