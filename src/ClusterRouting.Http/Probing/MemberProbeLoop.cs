using Microsoft.Extensions.Logging;

namespace ClusterRouting.Http;

/// <summary>
/// Probes one member until stopped: each answer is reported to the cluster (online with its load and version; a limit
/// the member says it is over, as a refusal lasting until the next probe), and failures in a row, once they reach the
/// threshold, are reported as offline on every further failure, which keeps the member penalized while it stays down.
/// A member that failed is probed at the shorter unhealthy interval. The loop ends when stopped, or when the cluster
/// no longer has the member or was disposed.
/// </summary>
internal sealed class MemberProbeLoop(
    IClusterSelector cluster,
    string memberId,
    Uri address,
    MemberProber prober,
    HealthProbingOptions options,
    TimeProvider timeProvider,
    ILogger logger)
{
    private readonly ILogger _logger = GuardedLogger.Wrap(logger);
    private int _failures;

    public Uri Address => address;

    /// <summary>Gets how many probes in a row have failed.</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _failures);

    public async Task RunAsync(TimeSpan firstDelay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(firstDelay, timeProvider, stopping).ConfigureAwait(false);
            while (true)
            {
                ProbeOutcome outcome = await prober.ProbeAsync(address, stopping).ConfigureAwait(false);
                try
                {
                    if (!Report(outcome))
                    {
                        return;
                    }
                }
                catch (Exception ex) when (ex is not ObjectDisposedException)
                {
                    // A failure here (a logger that throws, say) must not end the member's probing.
                    ProbeLog.ReportFailed(_logger, ex, cluster.ClusterName, memberId);
                }

                TimeSpan interval = _failures >= options.UnhealthyThreshold ? options.UnhealthyInterval : options.Interval;
                await Task.Delay(Jittered(interval), timeProvider, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (ObjectDisposedException)
        {
            // The cluster was disposed (removed, or the container is shutting down): nothing left to probe for.
        }
    }

    /// <summary>Reports what the probe found; <see langword="false"/> when the cluster no longer has the member.</summary>
    internal bool Report(ProbeOutcome outcome)
    {
        MemberHealthAnswer? answer = outcome.Answer;
        if (answer is not null && answer.Online)
        {
            int failuresBefore = _failures;
            Volatile.Write(ref _failures, 0);
            if (!cluster.ReportProbe(memberId, MemberProbeResult.Online(Percent(answer.CpuPercent), Percent(answer.MemoryPercent), answer.Version)))
            {
                return false;
            }

            if (failuresBefore >= options.UnhealthyThreshold)
            {
                ProbeLog.MemberAnswersAgain(_logger, cluster.ClusterName, memberId, failuresBefore);
            }

            if (ClusterMemberProtocol.TryParseLimit(answer.OverLimit, out ThrottleLimitKind limit) && limit != ThrottleLimitKind.Concurrency)
            {
                // Over its CPU or memory threshold, by its own measure: no new work until a probe says otherwise. (Being
                // full is left to the member's own refusals: slots free within milliseconds.)
                cluster.ReportRefusal(memberId, limit, options.Interval);
            }

            return true;
        }

        int failures = Interlocked.Increment(ref _failures);
        string failure = answer is null ? outcome.Failure ?? "no answer" : "it reports itself offline";
        ProbeLog.ProbeFailed(_logger, outcome.Error, cluster.ClusterName, memberId, failures, failure);
        if (failures < options.UnhealthyThreshold)
        {
            return cluster.GetStatus().Members.Any(m => string.Equals(m.Id, memberId, StringComparison.OrdinalIgnoreCase));
        }

        if (failures == options.UnhealthyThreshold)
        {
            ProbeLog.MemberDown(_logger, cluster.ClusterName, memberId, failures, failure);
        }

        return cluster.ReportProbe(memberId, MemberProbeResult.Offline);
    }

    // A member's own figure, kept to what the cluster accepts (a member that overshoots counts as full, one that
    // sends nonsense as silent on that figure).
    private static double? Percent(double? value) => value switch
    {
        null => null,
        double v when double.IsNaN(v) || v < 0 => null,
        double v => Math.Min(v, 100),
    };

    // A jitter of 0 gives the interval itself.
    private TimeSpan Jittered(TimeSpan interval) => interval - (interval * (options.Jitter * Random.Shared.NextDouble()));
}
