using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using T = ClusterRouting.ClusterRoutingTelemetry;

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
    private readonly Counter<long> _probes;
    private readonly Counter<long> _refusals;
    private readonly Histogram<double> _duration;

    public ClusterMetrics(string clusterName, ClusterRoutingInstruments instruments, CallbackFailures failures)
    {
        _clusterName = clusterName;
        _failures = failures;
        _selections = instruments.Selections;
        _throttledSelections = instruments.ThrottledSelections;
        _failovers = instruments.Failovers;
        _offlineAttempts = instruments.OfflineAttempts;
        _probes = instruments.Probes;
        _refusals = instruments.Refusals;
        _duration = instruments.Duration;
    }

    public bool SelectionsEnabled => _selections.Enabled;

    public bool FailoversEnabled => _failovers.Enabled;

    public bool FailuresEnabled => _selections.Enabled || _throttledSelections.Enabled;

    public bool DurationEnabled => _duration.Enabled;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordSelected(string memberId) =>
        Add(_selections, new(T.ClusterTag, _clusterName), new(T.MemberTag, memberId), new(T.SelectionOutcomeTag, "selected"));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordFailover(string memberId) => Add(_failovers, new(T.ClusterTag, _clusterName), new(T.MemberTag, memberId));

    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordFailed(in SelectionFailure failure)
    {
        bool throttled = failure.IsThrottled;
        string outcome = throttled ? "throttled" : "unavailable";
        if (_selections.Enabled)
        {
            Add(_selections, new(T.ClusterTag, _clusterName), new(T.SelectionOutcomeTag, outcome), new(T.ErrorTypeTag, outcome));
        }

        if (throttled && _throttledSelections.Enabled)
        {
            Add(_throttledSelections, new(T.ClusterTag, _clusterName), new(T.LimitTag, ThrottleLimits.TagOf(failure.HeadlineLimit)));
        }
    }

    public void RecordOfflineAttempt(string memberId)
    {
        if (_offlineAttempts.Enabled)
        {
            Add(_offlineAttempts, new(T.ClusterTag, _clusterName), new(T.MemberTag, memberId));
        }
    }

    public void RecordRefusal(string memberId, ThrottleLimitKind limit)
    {
        if (_refusals.Enabled)
        {
            Add(_refusals, new(T.ClusterTag, _clusterName), new(T.MemberTag, memberId), new(T.LimitTag, ThrottleLimits.TagOf(limit)));
        }
    }

    public void RecordProbe(string memberId, bool online)
    {
        if (_probes.Enabled)
        {
            Add(_probes, new(T.ClusterTag, _clusterName), new(T.MemberTag, memberId), new(T.ProbeOutcomeTag, online ? "online" : "offline"));
        }
    }

    /// <param name="memberId">The member the attempt ran on.</param>
    /// <param name="outcome"><c>success</c>, <c>offline</c>, <c>refused</c> or <c>error</c>.</param>
    /// <param name="errorType">For a failed attempt, its <c>error.type</c>: <c>offline</c>, <c>refused</c> or the exception's type.</param>
    /// <param name="elapsed">How long the attempt took.</param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void RecordDuration(string memberId, string outcome, string? errorType, TimeSpan elapsed)
    {
        try
        {
            var tags = new TagList { { T.ClusterTag, _clusterName }, { T.MemberTag, memberId }, { T.AttemptOutcomeTag, outcome } };
            if (errorType is not null)
            {
                tags.Add(T.ErrorTypeTag, errorType);
            }

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
