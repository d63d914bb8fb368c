using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// The span and the duration of one attempt of <c>ExecuteAsync</c>, started together and ended together with the
/// attempt's outcome (the <c>cluster_routing.attempt.duration</c> histogram and the attempt's span get the same
/// outcome and <c>error.type</c>). With no listener on either, starting reads no clock and ending does nothing.
/// </summary>
internal readonly struct AttemptTelemetry
{
    private readonly Activity? _span;
    private readonly long _started;

    private AttemptTelemetry(Activity? span, long started)
    {
        _span = span;
        _started = started;
    }

    /// <summary>Starts an attempt's span under <paramref name="run"/> (when traced) and its clock (when measured).</summary>
    public static AttemptTelemetry Start(ClusterState core, Activity? run, string memberId, int number, bool hedge = false)
    {
        Activity? span = ExecutionTracing.StartAttempt(run, memberId, number, hedge);
        long started = core.Metrics.DurationEnabled ? core.Clock.TimeProvider.GetTimestamp() : 0;
        return new AttemptTelemetry(span, started);
    }

    /// <summary>
    /// Ends the attempt on <paramref name="memberId"/> of the cluster <paramref name="core"/>: <paramref name="error"/>
    /// names its <c>error.type</c> when the operation's own error ended it.
    /// </summary>
    public void End(ClusterState core, string memberId, AttemptEnd end, Exception? error)
    {
        if (_started != 0 || _span is not null)
        {
            Record(core, memberId, end, error);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Record(ClusterState core, string memberId, AttemptEnd end, Exception? error)
    {
        string outcome = end switch
        {
            AttemptEnd.Success => "success",
            AttemptEnd.Offline => "offline",
            AttemptEnd.Refused => "refused",
            AttemptEnd.Cancelled => "cancelled",
            _ => "error",
        };
        string? errorType = end switch
        {
            AttemptEnd.Offline or AttemptEnd.Refused => outcome,
            AttemptEnd.Error => error?.GetType().FullName,
            _ => null,
        };

        if (_started != 0)
        {
            core.Metrics.RecordDuration(memberId, outcome, errorType, core.Clock.TimeProvider.GetElapsedTime(_started));
        }

        ExecutionTracing.EndAttempt(_span, outcome, errorType);
    }
}
