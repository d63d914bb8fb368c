using Microsoft.Extensions.Logging;

namespace ClusterRouting;

/// <summary>
/// Writes a cluster's events to its logger: the events a change queued under the lock, once the lock is released, and
/// the one event the hot path writes itself (<c>FailedOver</c>). A logger that throws is counted and skipped; the
/// remaining events are still written.
/// </summary>
internal sealed class ClusterEventLog
{
    private readonly string _clusterName;
    private readonly ILogger _logger;
    private readonly CallbackFailures _failures;

    public ClusterEventLog(string clusterName, ILogger logger, CallbackFailures failures)
    {
        _clusterName = clusterName;
        _logger = logger;
        _failures = failures;
    }

    /// <summary>Writes <paramref name="events"/> in order. Called with no lock held.</summary>
    public void Write(List<ClusterEvent>? events)
    {
        if (events is null)
        {
            return;
        }

        foreach (ClusterEvent item in events)
        {
            try
            {
                item.Write(_logger, _clusterName);
            }
#pragma warning disable CA1031 // A broken logger (a disposed sink at shutdown) must not fail the change or the timer.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _failures.Report(CallbackKind.Logger, ex);
            }
        }
    }

    /// <summary>Logs that a failover-mode selection went past the primary (Debug). Never throws.</summary>
    public void FailedOver(string memberId, int memberIndex)
    {
        try
        {
            Log.FailedOver(_logger, _clusterName, memberId, memberIndex);
        }
#pragma warning disable CA1031 // On the hot path, after a slot was taken: nothing may throw here.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failures.Report(CallbackKind.Logger, ex);
        }
    }
}
