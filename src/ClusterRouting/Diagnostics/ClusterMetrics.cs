using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// Records one cluster's measurements. Every recording is guarded by the instrument's <c>Enabled</c> flag and done in a
/// method that is not inlined, so with no listener the hot path pays one flag read; and a listener that throws is
/// caught and counted there, so a recording can never throw into a selection that has already taken a slot.
/// </summary>
internal sealed class ClusterMetrics
{
    private readonly string _clusterName;
    private readonly CallbackFailures _failures;
    private readonly Counter<long> _selections;
    private readonly Counter<long> _throttledSelections;
    private readonly Counter<long> _failovers;
    private readonly Counter<long> _offlineAttempts;
    private readonly Histogram<double> _duration;

    public ClusterMetrics(string clusterName, ClusterRoutingInstruments instruments, CallbackFailures failures)
    {
        _clusterName = clusterName;
        _failures = failures;
        _selections = instruments.Selections;
        _throttledSelections = instruments.ThrottledSelections;
        _failovers = instruments.Failovers;
        _offlineAttempts = instruments.OfflineAttempts;
        _duration = instruments.Duration;
    }

    public bool SelectionsEnabled => _selections.Enabled;

    public bool FailoversEnabled => _failovers.Enabled;

    public bool FailuresEnabled => _selections.Enabled || _throttledSelections.Enabled;

    public bool DurationEnabled => _duration.Enabled;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordSelected(string memberId)
    {
        try
        {
            _selections.Add(1, new KeyValuePair<string, object?>("cluster", _clusterName), new KeyValuePair<string, object?>("member", memberId), new KeyValuePair<string, object?>("outcome", "selected"));
        }
#pragma warning disable CA1031 // A listener's failure must not reach a selection that holds a slot (it would leak it).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failures.Report(CallbackKind.MeterListener, ex);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordFailover(string memberId)
    {
        try
        {
            _failovers.Add(1, new KeyValuePair<string, object?>("cluster", _clusterName), new KeyValuePair<string, object?>("member", memberId));
        }
#pragma warning disable CA1031 // As in RecordSelected.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failures.Report(CallbackKind.MeterListener, ex);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordFailed(in SelectionFailure failure)
    {
        try
        {
            bool throttled = failure.IsThrottled;
            if (_selections.Enabled)
            {
                _selections.Add(1, new KeyValuePair<string, object?>("cluster", _clusterName), new KeyValuePair<string, object?>("outcome", throttled ? "throttled" : "unavailable"));
            }

            if (throttled && _throttledSelections.Enabled)
            {
                _throttledSelections.Add(1, new KeyValuePair<string, object?>("cluster", _clusterName), new KeyValuePair<string, object?>("limit", ThrottleLimits.TagOf(failure.HeadlineLimit)));
            }
        }
#pragma warning disable CA1031 // TrySelect never throws for an expected outcome.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failures.Report(CallbackKind.MeterListener, ex);
        }
    }

    public void RecordOfflineAttempt(string memberId)
    {
        if (_offlineAttempts.Enabled)
        {
            RecordOfflineAttemptCore(memberId);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordDuration(string memberId, string outcome, TimeSpan elapsed)
    {
        try
        {
            var tags = new TagList { { "cluster", _clusterName }, { "member", memberId }, { "outcome", outcome } };
            _duration.Record(elapsed.TotalSeconds, in tags);
        }
#pragma warning disable CA1031 // The operation's own result or exception must not be replaced by a listener's.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failures.Report(CallbackKind.MeterListener, ex);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordOfflineAttemptCore(string memberId)
    {
        try
        {
            _offlineAttempts.Add(1, new KeyValuePair<string, object?>("cluster", _clusterName), new KeyValuePair<string, object?>("member", memberId));
        }
#pragma warning disable CA1031 // A report must not fail because of a listener.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failures.Report(CallbackKind.MeterListener, ex);
        }
    }
}
