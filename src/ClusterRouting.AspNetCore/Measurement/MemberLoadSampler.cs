using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.AspNetCore;

/// <summary>
/// Measures the member once per sampling interval on a <see cref="TimeProvider"/> timer, averages the samples over the
/// aggregation window and publishes the verdict to the <see cref="MemberLimiter"/>. The request path never measures
/// and never reads a clock. Started and stopped with the host.
/// </summary>
internal sealed class MemberLoadSampler : IHostedService, IDisposable
{
    private readonly MemberLimiter _limiter;
    private readonly IMemberUtilizationSource _source;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly LoadWindow _window;
    private readonly TimeSpan _interval;
    private readonly double _cpuThreshold;
    private readonly double _memoryThreshold;
    private readonly object _gate = new();
    private readonly long _started;
    private ITimer? _timer;

    public MemberLoadSampler(MemberLimiter limiter, IMemberUtilizationSource source, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        _limiter = limiter;
        _source = source;
        _timeProvider = timeProvider;
        _logger = GuardedLogger.Wrap(logger);
        MemberLimitsOptions options = limiter.Options;
        _window = new LoadWindow(TimeSpan.FromMinutes(options.ResourceUtilizationAggregationTimeInMinutes), MemberLimitsDefaults.WindowBuckets);
        _interval = options.SamplingInterval;
        _cpuThreshold = options.CPUUtilizationPercentageThreshold;
        _memoryThreshold = options.MemoryUtilizationPercentageThreshold;
        _started = timeProvider.GetTimestamp();
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Sample();

        // The timer captures no caller's ExecutionContext (AsyncLocals, Activity.Current of whoever started the host).
        bool suppress = !ExecutionContext.IsFlowSuppressed();
        AsyncFlowControl flow = suppress ? ExecutionContext.SuppressFlow() : default;
        try
        {
            _timer = _timeProvider.CreateTimer(static state => ((MemberLoadSampler)state!).Sample(), this, _interval, _interval);
        }
        finally
        {
            if (suppress)
            {
                flow.Undo();
            }
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    /// <summary>Takes one sample and publishes the verdict. Never throws: it runs on the timer's thread.</summary>
    internal void Sample()
    {
        lock (_gate)
        {
            try
            {
                SampleCore();
            }
#pragma warning disable CA1031 // A measurement source's failure must not reach the timer thread: logged, sample skipped.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                Log.MeasurementFailed(_logger, _limiter.MemberId, ex);
            }
            finally
            {
                _limiter.EndQuietEpisodes();
            }
        }
    }

    private void SampleCore()
    {
        UtilizationSample sample = _source.Measure();
        TimeSpan now = _timeProvider.GetElapsedTime(_started);
        // Stryker disable once Equality : <= only also sets a zero to zero
        if (now < TimeSpan.Zero)
        {
            now = TimeSpan.Zero;
        }

        _window.Add(now, Sanitize(sample.CpuPercent), Sanitize(sample.MemoryPercent));
        LoadWindow.Averages averages = _window.Compute(now);

        MemberLimit limit = MemberLimit.None;
        TimeSpan? expiresAt = null;
        double average = 0;
        double threshold = 0;
        if (IsOver(averages.CpuPercent, _cpuThreshold))
        {
            (limit, expiresAt, average, threshold) = (MemberLimit.Cpu, averages.CpuOldestExpiresAt, averages.CpuPercent!.Value, _cpuThreshold);
        }
        else if (IsOver(averages.MemoryPercent, _memoryThreshold))
        {
            (limit, expiresAt, average, threshold) = (MemberLimit.Memory, averages.MemoryOldestExpiresAt, averages.MemoryPercent!.Value, _memoryThreshold);
        }

        // Retry-After for CPU and memory: until the oldest samples can leave the window, the first moment at which the
        // average can fall without the member's help; RetryAfter rounds it up to whole seconds, at least 1.
        TimeSpan retryAfter = expiresAt is TimeSpan at ? at - now : TimeSpan.Zero;
        MemberLimit previous = _limiter.Verdict.Limit;
        _limiter.Publish(new LoadVerdict(averages.CpuPercent, averages.MemoryPercent, limit, retryAfter));

        if (limit != previous)
        {
            if (limit == MemberLimit.None)
            {
                Log.UtilizationLimitCleared(_logger, _limiter.MemberId);
            }
            else
            {
                string name = MemberLimitNames.NameOf(limit)!;
                Log.UtilizationLimitReached(_logger, _limiter.MemberId, name, average, threshold);
            }
        }
    }

    private static bool IsOver(double? average, double threshold) => threshold > 0 && average is double value && value >= threshold;

    /// <summary>Over 100 counts as 100 (a CPU interval measured a little short); negative, NaN or infinite values are dropped.</summary>
    private static double? Sanitize(double? percent) => percent switch
    {
        null => null,
        double value when double.IsNaN(value) || value < 0 || double.IsInfinity(value) => null,
        double value => Math.Min(value, 100),
    };
}
