using System.Diagnostics.Metrics;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Tests.Diagnostics;

/// <summary>
/// <see cref="ClusterMetrics"/> on its own, on the meter of a meter factory of the test's own (so no other test's
/// listener or cluster records into it): what each recording writes, and that a listener that throws is caught and
/// counted as a meter-listener failure on every instrument.
/// </summary>
public sealed class ClusterMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly IMeterFactory _factory;
    private readonly FakeLogger _logger = new();
    private readonly CallbackFailures _failures;
    private readonly ClusterMetrics _metrics;

    public ClusterMetricsTests()
    {
        _factory = _services.GetRequiredService<IMeterFactory>();
        _failures = new CallbackFailures("metrics", _logger);
        _metrics = new ClusterMetrics("metrics", ClusterRoutingInstruments.For(_factory), _failures);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void Enabled_NoListener_EveryFlagIsOff()
    {
        Assert.False(_metrics.SelectionsEnabled);
        Assert.False(_metrics.FailoversEnabled);
        Assert.False(_metrics.FailuresEnabled);
        Assert.False(_metrics.DurationEnabled);
    }

    [Fact]
    public void Enabled_ListenerOnSelections_TurnsOnSelectionsAndFailuresOnly()
    {
        using MetricCollector<long> selections = Collect<long>("cluster_routing.selections");

        Assert.True(_metrics.SelectionsEnabled);
        Assert.True(_metrics.FailuresEnabled);
        Assert.False(_metrics.FailoversEnabled);
        Assert.False(_metrics.DurationEnabled);
    }

    [Fact]
    public void RecordSelected_AddsOneSelectedSelection_ForTheMember()
    {
        using MetricCollector<long> selections = Collect<long>("cluster_routing.selections");

        _metrics.RecordSelected("gw-1");

        CollectedMeasurement<long> measurement = Assert.Single(selections.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("metrics", measurement.Tags[ClusterRoutingTelemetry.ClusterTag]);
        Assert.Equal("gw-1", measurement.Tags[ClusterRoutingTelemetry.MemberTag]);
        Assert.Equal("selected", measurement.Tags[ClusterRoutingTelemetry.SelectionOutcomeTag]);
    }

    [Fact]
    public void RecordFailover_AddsOneFailover_ForTheMember()
    {
        using MetricCollector<long> failovers = Collect<long>("cluster_routing.failovers");

        _metrics.RecordFailover("gw-2");

        CollectedMeasurement<long> measurement = Assert.Single(failovers.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("gw-2", measurement.Tags[ClusterRoutingTelemetry.MemberTag]);
        Assert.Equal("metrics", measurement.Tags[ClusterRoutingTelemetry.ClusterTag]);
    }

    [Fact]
    public void RecordOfflineAttempt_AddsOneOfflineAttempt_ForTheMember()
    {
        using MetricCollector<long> offline = Collect<long>("cluster_routing.offline_attempts");

        _metrics.RecordOfflineAttempt("gw-0");

        CollectedMeasurement<long> measurement = Assert.Single(offline.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("gw-0", measurement.Tags[ClusterRoutingTelemetry.MemberTag]);
    }

    [Fact]
    public void RecordDuration_RecordsSecondsWithTheOutcome()
    {
        using MetricCollector<double> duration = Collect<double>("cluster_routing.operation.duration");

        _metrics.RecordDuration("gw-0", "offline", "offline", TimeSpan.FromMilliseconds(250));

        CollectedMeasurement<double> measurement = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.Equal(0.25, measurement.Value);
        Assert.Equal("gw-0", measurement.Tags[ClusterRoutingTelemetry.MemberTag]);
        Assert.Equal("offline", measurement.Tags[ClusterRoutingTelemetry.AttemptOutcomeTag]);
        Assert.Equal("offline", measurement.Tags[ClusterRoutingTelemetry.ErrorTypeTag]);
        Assert.Equal("metrics", measurement.Tags[ClusterRoutingTelemetry.ClusterTag]);
    }

    [Fact]
    public void RecordFailed_Throttled_AddsAThrottledSelection_AndOneForTheHeadlineLimit()
    {
        using MetricCollector<long> selections = Collect<long>("cluster_routing.selections");
        using MetricCollector<long> throttled = Collect<long>("cluster_routing.throttled_selections");

        _metrics.RecordFailed(ThrottledFailure());

        CollectedMeasurement<long> selection = Assert.Single(selections.GetMeasurementSnapshot());
        Assert.Equal("throttled", selection.Tags[ClusterRoutingTelemetry.SelectionOutcomeTag]);
        Assert.Equal("throttled", selection.Tags[ClusterRoutingTelemetry.ErrorTypeTag]);
        Assert.False(selection.Tags.ContainsKey(ClusterRoutingTelemetry.MemberTag));
        CollectedMeasurement<long> limit = Assert.Single(throttled.GetMeasurementSnapshot());
        Assert.Equal("memory", limit.Tags[ClusterRoutingTelemetry.LimitTag]);
        Assert.Equal("metrics", limit.Tags[ClusterRoutingTelemetry.ClusterTag]);
    }

    [Fact]
    public void RecordFailed_ThrottledWithThePrimaryDisabled_TagsTheLimitOfTheFirstThrottledMember()
    {
        using MetricCollector<long> throttled = Collect<long>("cluster_routing.throttled_selections");
        using var source = new ClusterSelector("source", Clusters.Options(2));
        source.SetMemberEnabled("gw-0", false);
        source.ReportRefusal("gw-1", ThrottleLimitKind.Memory, TimeSpan.FromMinutes(1));
        Assert.False(source.TrySelect(out _, out SelectionFailure failure));

        _metrics.RecordFailed(failure);

        Assert.Equal("memory", Assert.Single(throttled.GetMeasurementSnapshot()).Tags[ClusterRoutingTelemetry.LimitTag]);
    }

    [Fact]
    public void RecordFailed_Unavailable_AddsAnUnavailableSelectionOnly()
    {
        using MetricCollector<long> selections = Collect<long>("cluster_routing.selections");
        using MetricCollector<long> throttled = Collect<long>("cluster_routing.throttled_selections");

        _metrics.RecordFailed(UnavailableFailure());

        Assert.Equal("unavailable", Assert.Single(selections.GetMeasurementSnapshot()).Tags[ClusterRoutingTelemetry.SelectionOutcomeTag]);
        Assert.Empty(throttled.GetMeasurementSnapshot());
    }

    [Theory]
    [InlineData("selected")]
    [InlineData("failover")]
    [InlineData("offline")]
    [InlineData("duration")]
    [InlineData("failed-throttled")]
    [InlineData("failed-unavailable")]
    public void Record_ListenerThrows_IsCaughtCountedAndLogged(string recording)
    {
        using MeterListener listener = ThrowingListener();
        SelectionFailure throttledFailure = ThrottledFailure();
        SelectionFailure unavailableFailure = UnavailableFailure();
        Action record = recording switch
        {
            "selected" => () => _metrics.RecordSelected("gw-0"),
            "failover" => () => _metrics.RecordFailover("gw-1"),
            "offline" => () => _metrics.RecordOfflineAttempt("gw-0"),
            "duration" => () => _metrics.RecordDuration("gw-0", "success", null, TimeSpan.FromSeconds(1)),
            "failed-throttled" => () => _metrics.RecordFailed(throttledFailure),
            _ => () => _metrics.RecordFailed(unavailableFailure),
        };

        Exception? escaped = Record.Exception(record);

        // A throttled failure records on two instruments (selections and throttled_selections): each throw counts.
        int recordings = recording == "failed-throttled" ? 2 : 1;
        Assert.Null(escaped);
        Assert.Equal(recordings, _failures.CountOf(CallbackKind.MeterListener));
        IReadOnlyList<FakeLogRecord> logged = _logger.Collector.GetSnapshot();
        Assert.Equal(recordings, logged.Count);
        Assert.All(logged, r => Assert.Equal("CallbackFailed", r.Id.Name));
        Assert.All(logged, r => Assert.Equal("meter listener", r.GetStructuredStateValue("Callback")));
        Assert.All(logged, r => Assert.Equal("listener", r.Exception?.Message));
    }

    private static SelectionFailure ThrottledFailure()
    {
        using var source = new ClusterSelector("source", Clusters.Options(2));
        source.ReportRefusal("gw-0", ThrottleLimitKind.Memory, TimeSpan.FromMinutes(1));
        source.ReportRefusal("gw-1", ThrottleLimitKind.Cpu, TimeSpan.FromMinutes(1));
        Assert.False(source.TrySelect(out _, out SelectionFailure failure));
        Assert.True(failure.IsThrottled);
        return failure;
    }

    private static SelectionFailure UnavailableFailure()
    {
        using var source = new ClusterSelector("source", Clusters.Options(1));
        source.SetMemberEnabled("gw-0", false);
        Assert.False(source.TrySelect(out _, out SelectionFailure failure));
        Assert.False(failure.IsThrottled);
        return failure;
    }

    private MetricCollector<T> Collect<T>(string instrument)
        where T : struct => new(_factory, ClusterRoutingInstruments.MeterName, instrument);

    /// <summary>A listener on this test's meter whose every measurement callback throws.</summary>
    private MeterListener ThrowingListener()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, _factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, _, _) => throw new InvalidOperationException("listener"));
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => throw new InvalidOperationException("listener"));
        listener.Start();
        return listener;
    }
}
