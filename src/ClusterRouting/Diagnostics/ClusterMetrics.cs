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
    public void RecordSelected(string memberId) =>
        Add(_selections, new("cluster", _clusterName), new("member", memberId), new("outcome", "selected"));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordFailover(string memberId) => Add(_failovers, new("cluster", _clusterName), new("member", memberId));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordFailed(in SelectionFailure failure)
    {
        bool throttled = failure.IsThrottled;
        if (_selections.Enabled)
        {
            Add(_selections, new("cluster", _clusterName), new("outcome", throttled ? "throttled" : "unavailable"));
        }

        if (throttled && _throttledSelections.Enabled)
        {
            Add(_throttledSelections, new("cluster", _clusterName), new("limit", ThrottleLimits.TagOf(failure.HeadlineLimit)));
        }
    }

    public void RecordOfflineAttempt(string memberId)
    {
        if (_offlineAttempts.Enabled)
        {
            Add(_offlineAttempts, new("cluster", _clusterName), new("member", memberId));
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

    // A listener's failure must not reach a selection that holds a slot (it would leak it), nor fail a report.
    private void Add(Counter<long> counter, KeyValuePair<string, object?> first, KeyValuePair<string, object?> second)
    {
        try
        {
            counter.Add(1, first, second);
        }
#pragma warning disable CA1031 // Caught, counted and logged: see the comment above.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failures.Report(CallbackKind.MeterListener, ex);
        }
    }

    private void Add(Counter<long> counter, KeyValuePair<string, object?> first, KeyValuePair<string, object?> second, KeyValuePair<string, object?> third)
    {
        try
        {
            counter.Add(1, first, second, third);
        }
#pragma warning disable CA1031 // Caught, counted and logged: see the comment on the other overload.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _failures.Report(CallbackKind.MeterListener, ex);
        }
    }
}
