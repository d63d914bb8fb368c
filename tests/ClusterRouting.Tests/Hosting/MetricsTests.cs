using System.Diagnostics.Metrics;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ClusterRouting.Tests.Hosting;

/// <summary>
/// The instruments, recorded with a <see cref="MetricCollector{T}"/> per instrument on the meter that the container's
/// meter factory created (the meter's scope), so that measurements of clusters in other tests (other factories, or the
/// shared meter) do not interfere.
/// </summary>
public sealed class MetricsTests : IDisposable
{
    private const string Selections = "cluster_routing.selections";
    private const string ThrottledSelections = "cluster_routing.throttled_selections";
    private const string Failovers = "cluster_routing.failovers";
    private const string OfflineAttempts = "cluster_routing.offline_attempts";
    private const string InFlight = "cluster_routing.leases.in_flight";
    private const string Duration = "cluster_routing.operation.duration";
    private const string CallbackFailures = "cluster_routing.callback.failures";
    private const string MeterName = "ClusterRouting";
    private const string LeasesLimit = "cluster_routing.leases.limit";
    private const string MemberOnline = "cluster_routing.member.online";
    private const string MemberCpu = "cluster_routing.member.cpu.utilization";
    private const string MemberMemory = "cluster_routing.member.memory.utilization";
    private const string Probes = "cluster_routing.probes";
    private const string Refusals = "cluster_routing.refusals";

    private readonly List<IDisposable> _disposables = new();

    public void Dispose()
    {
        foreach (IDisposable disposable in Enumerable.Reverse(_disposables))
        {
            disposable.Dispose();
        }
    }

    [Fact]
    public void Instruments_HaveTheDocumentedNamesAndUnits()
    {
        (ClusterSelector _, Metrics metrics, RoutingServices services) = Create(("Members:0:Id", "gw-0"));
        IMeterFactory scope = services.Services.GetRequiredService<IMeterFactory>();
        var published = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
                {
                    lock (published)
                    {
                        published.Add(instrument);
                    }
                }
            },
        };

        // Start reports the instruments the meter already published: resolving the cluster created them.
        listener.Start();

        (string Name, string? Unit)[] documented =
        [
            (CallbackFailures, "{failure}"),
            (Failovers, "{selection}"),
            (InFlight, "{lease}"),
            (LeasesLimit, "{lease}"),
            (MemberCpu, "1"),
            (MemberMemory, "1"),
            (MemberOnline, "1"),
            (OfflineAttempts, "{attempt}"),
            (Duration, "s"),
            (Probes, "{probe}"),
            (Refusals, "{refusal}"),
            (Selections, "{selection}"),
            (ThrottledSelections, "{selection}"),
        ];
        Assert.Equal(documented, published.OrderBy(i => i.Name, StringComparer.Ordinal).Select(i => (i.Name, i.Unit)));
        Assert.Equal(documented, documented.Select(i => (i.Name, metrics.UnitOf(i.Name))));
    }

    [Fact]
    public void Select_CountsSelectionsByClusterMemberAndOutcome()
    {
        (ClusterSelector cluster, Metrics metrics, _) = Create(("Mode", "RoundRobin"), ("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));

        Assert.Equal(["gw-0", "gw-1", "gw-0"], cluster.SelectIds(3));

        IReadOnlyList<CollectedMeasurement<long>> selections = metrics.Of(Selections);
        Assert.Equal([1L, 1L, 1L], selections.Select(m => m.Value));
        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.member.id=gw-0", "cluster_routing.selection.outcome=selected"], selections[0].TagText());
        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.member.id=gw-1", "cluster_routing.selection.outcome=selected"], selections[1].TagText());
        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.member.id=gw-0", "cluster_routing.selection.outcome=selected"], selections[2].TagText());
        Assert.Equal("{selection}", metrics.UnitOf(Selections));
        Assert.Empty(metrics.Of(Failovers));
        Assert.Empty(metrics.Of(ThrottledSelections));
    }

    [Fact]
    public void TrySelect_EveryMemberThrottled_CountsAThrottledSelectionWithTheLimit()
    {
        (ClusterSelector cluster, Metrics metrics, _) = Create(("CPUUtilizationPercentageThreshold", "80"), ("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));
        cluster.ReportUtilization("gw-0", 90, 0);
        cluster.ReportUtilization("gw-1", 85, 0);

        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));

        Assert.True(failure.IsThrottled);
        CollectedMeasurement<long> selection = Assert.Single(metrics.Of(Selections));
        Assert.Equal(1, selection.Value);
        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.selection.outcome=throttled", "error.type=throttled"], selection.TagText());
        CollectedMeasurement<long> throttled = Assert.Single(metrics.Of(ThrottledSelections));
        Assert.Equal(1, throttled.Value);
        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.limit=cpu"], throttled.TagText());
        Assert.Equal("{selection}", metrics.UnitOf(ThrottledSelections));
        Assert.Empty(metrics.Of(InFlight));
    }

    [Fact]
    public void TrySelect_EveryMemberDisabled_CountsAnUnavailableSelectionOnly()
    {
        (ClusterSelector cluster, Metrics metrics, _) = Create(("Members:0:Id", "gw-0"), ("Members:0:Enabled", "false"));

        Assert.False(cluster.TrySelect(out _, out _));

        CollectedMeasurement<long> selection = Assert.Single(metrics.Of(Selections));
        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.selection.outcome=unavailable", "error.type=unavailable"], selection.TagText());
        Assert.Empty(metrics.Of(ThrottledSelections));
    }

    [Fact]
    public void TrySelectPrimary_PrimaryThrottled_CountsAThrottledSelectionWithItsLimit()
    {
        (ClusterSelector cluster, Metrics metrics, _) = Create(("CPUUtilizationPercentageThreshold", "80"), ("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));
        cluster.ReportUtilization("gw-0", 90, 0);

        Assert.False(cluster.TrySelectPrimary(out _, out _));

        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.selection.outcome=throttled", "error.type=throttled"], Assert.Single(metrics.Of(Selections)).TagText());
        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.limit=cpu"], Assert.Single(metrics.Of(ThrottledSelections)).TagText());
    }

    [Fact]
    public void TrySelectPrimary_PrimaryDisabled_CountsAnUnavailableSelectionNotAThrottledOne()
    {
        (ClusterSelector cluster, Metrics metrics, _) = Create(("Members:0:Id", "gw-0"), ("Members:0:Enabled", "false"), ("Members:1:Id", "gw-1"));

        Assert.False(cluster.TrySelectPrimary(out _, out _));

        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.selection.outcome=unavailable", "error.type=unavailable"], Assert.Single(metrics.Of(Selections)).TagText());
        Assert.Empty(metrics.Of(ThrottledSelections));
    }

    [Fact]
    public void Select_FailoverModePastTheDisabledPrimary_CountsAFailoverToGw1()
    {
        (ClusterSelector cluster, Metrics metrics, _) = Create(("Members:0:Id", "gw-0"), ("Members:0:Enabled", "false"), ("Members:1:Id", "gw-1"));

        Assert.Equal("gw-1", cluster.SelectOnce());

        CollectedMeasurement<long> failover = Assert.Single(metrics.Of(Failovers));
        Assert.Equal(1, failover.Value);
        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.member.id=gw-1"], failover.TagText());
        Assert.Equal("{selection}", metrics.UnitOf(Failovers));
    }

    [Fact]
    public void Select_RoundRobinToASecondMember_IsNotAFailover()
    {
        (ClusterSelector cluster, Metrics metrics, _) = Create(("Mode", "RoundRobin"), ("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));

        Assert.Equal(["gw-0", "gw-1"], cluster.SelectIds(2));

        Assert.Empty(metrics.Of(Failovers));
    }

    [Fact]
    public void ReportOffline_CountsAnOfflineAttempt()
    {
        (ClusterSelector cluster, Metrics metrics, _) = Create(("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));

        Assert.True(cluster.ReportOffline("gw-0"));
        Assert.False(cluster.ReportOffline("nope"));

        CollectedMeasurement<long> attempt = Assert.Single(metrics.Of(OfflineAttempts));
        Assert.Equal(1, attempt.Value);
        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.member.id=gw-0"], attempt.TagText());
        Assert.Equal("{attempt}", metrics.UnitOf(OfflineAttempts));
    }

    [Fact]
    public void InFlight_IsObservedPerMember_FromTheLeasesOutWhenCollected()
    {
        (ClusterSelector cluster, Metrics metrics, _) = Create(("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));

        Assert.True(cluster.TrySelect(out MemberLease lease, out _));
        Assert.Empty(metrics.Of(InFlight));
        Assert.Equal([("gw-0", 1L), ("gw-1", 0L)], metrics.ObserveInFlight());
        lease.Dispose();
        lease.Dispose();

        Assert.Equal([("gw-0", 0L), ("gw-1", 0L)], metrics.ObserveInFlight());
        Assert.Equal("{lease}", metrics.UnitOf(InFlight));
        Assert.All(metrics.Of(InFlight), m => Assert.Equal("cluster_routing.cluster.name=metrics", m.TagText()[0]));
    }

    [Fact]
    public void MemberGauges_ReportLimitHealthAndAverageLoad_PerMember_WhenCollected()
    {
        (ClusterSelector cluster, Metrics metrics, _) = Create(
            ("ConcurrentOperationLimitPreview", "5"), ("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));
        cluster.ReportUtilization("gw-0", 30, 50);
        cluster.ReportUtilization("gw-0", 50, 70);
        cluster.ReportOffline("gw-1");

        Assert.Equal([("gw-0", 5L), ("gw-1", 5L)], metrics.Observe(LeasesLimit));
        Assert.Equal([("gw-0", 1L), ("gw-1", 0L)], metrics.Observe(MemberOnline));

        // Ratios of the window's average; a member without samples reports nothing.
        Assert.Equal([("gw-0", 0.4)], metrics.ObserveRatio(MemberCpu));
        Assert.Equal([("gw-0", 0.6)], metrics.ObserveRatio(MemberMemory));

        cluster.ReportSuccess("gw-1");
        Assert.Equal([("gw-0", 1L), ("gw-1", 1L)], metrics.Observe(MemberOnline));
    }

    [Fact]
    public void LeasesLimit_Bypassed_IsNotReported()
    {
        (ClusterSelector _, Metrics metrics, _) = Create(("BypassConcurrentOperationLimit", "true"), ("Members:0:Id", "gw-0"));

        Assert.Empty(metrics.Observe(LeasesLimit));
        Assert.Equal([("gw-0", 1L)], metrics.Observe(MemberOnline));
    }

    [Fact]
    public void ReportRefusal_CountsARefusal_ByMemberAndLimit_HoweverItWasReported()
    {
        (ClusterSelector cluster, Metrics metrics, _) = Create(("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));

        cluster.ReportRefusal("gw-1", ThrottleLimitKind.Memory, TimeSpan.FromSeconds(3));

        CollectedMeasurement<long> refusal = Assert.Single(metrics.Of(Refusals));
        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.limit=memory", "cluster_routing.member.id=gw-1"], refusal.TagText());
        Assert.Equal(1, refusal.Value);
    }

    [Fact]
    public void TrySelectPrimary_CountsTheSelectionAndTheLease()
    {
        (ClusterSelector cluster, Metrics metrics, _) = Create(("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));

        Assert.True(cluster.TrySelectPrimary(out MemberLease lease, out _));
        Assert.Equal([("gw-0", 1L), ("gw-1", 0L)], metrics.ObserveInFlight());
        lease.Dispose();

        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.member.id=gw-0", "cluster_routing.selection.outcome=selected"], Assert.Single(metrics.Of(Selections)).TagText());
        Assert.Equal([("gw-0", 0L), ("gw-1", 0L)], metrics.ObserveInFlight());
    }

    [Fact]
    public async Task ExecuteAsync_RecordsTheDurationOfEachAttemptByOutcome()
    {
        (ClusterSelector cluster, Metrics metrics, RoutingServices services) = Create(("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));

        string result = await cluster.ExecuteAsync<string>((lease, _) =>
        {
            if (lease.MemberId == "gw-0")
            {
                services.Time.Advance(TimeSpan.FromMilliseconds(100));
                throw new MemberOfflineException();
            }

            services.Time.Advance(TimeSpan.FromMilliseconds(250));
            return ValueTask.FromResult(lease.MemberId);
        });

        Assert.Equal("gw-1", result);
        IReadOnlyList<CollectedMeasurement<double>> durations = metrics.Durations.GetMeasurementSnapshot();
        Assert.Equal([0.1, 0.25], durations.Select(m => m.Value));
        Assert.Equal(["cluster_routing.attempt.outcome=offline", "cluster_routing.cluster.name=metrics", "cluster_routing.member.id=gw-0", "error.type=offline"], durations[0].TagText());
        Assert.Equal(["cluster_routing.attempt.outcome=success", "cluster_routing.cluster.name=metrics", "cluster_routing.member.id=gw-1"], durations[1].TagText());
        Assert.Equal("s", metrics.UnitOf(Duration));
        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.member.id=gw-0"], Assert.Single(metrics.Of(OfflineAttempts)).TagText());
        Assert.Equal([("gw-0", 0L), ("gw-1", 0L)], metrics.ObserveInFlight());
        Assert.Equal(["cluster_routing.cluster.name=metrics", "cluster_routing.member.id=gw-1"], Assert.Single(metrics.Of(Failovers)).TagText());
    }

    [Fact]
    public void Listener_OnAnotherFactory_SeesNothingOfThisCluster()
    {
        (ClusterSelector cluster, Metrics metrics, _) = Create(("Members:0:Id", "gw-0"));
        (ClusterSelector other, Metrics otherMetrics, _) = Create(("Members:0:Id", "gw-0"));

        Assert.Equal("gw-0", cluster.SelectOnce());

        Assert.Single(metrics.Of(Selections));
        Assert.Empty(otherMetrics.Of(Selections));
        Assert.Equal("gw-0", other.SelectOnce());
        Assert.Single(metrics.Of(Selections));
        Assert.Single(otherMetrics.Of(Selections));
    }

    /// <summary>Builds a container with AddMetrics, starts a collector per instrument on its meter factory, then resolves cluster "metrics".</summary>
    private (ClusterSelector Cluster, Metrics Metrics, RoutingServices Services) Create(params (string Key, string? Value)[] settings)
    {
        RoutingServices services = RoutingServices.Create(Settings.Cluster("metrics", settings), configureServices: s => s.AddMetrics());
        _disposables.Add(services);
        var metrics = new Metrics(services.Services.GetRequiredService<IMeterFactory>());
        _disposables.Add(metrics);
        return (services.Cluster("metrics"), metrics, services);
    }

    /// <summary>
    /// One <see cref="MetricCollector{T}"/> per instrument of the <c>ClusterRouting</c> meter that one meter factory (the
    /// meter's scope) created: the counters and the observable instruments report <see cref="long"/> values, the duration
    /// histogram <see cref="double"/> seconds.
    /// </summary>
    private sealed class Metrics : IDisposable
    {
        private readonly Dictionary<string, MetricCollector<long>> _counts;
        private readonly Dictionary<string, MetricCollector<double>> _ratios;

        public Metrics(IMeterFactory scope)
        {
            _counts = new[] { Selections, ThrottledSelections, Failovers, OfflineAttempts, InFlight, CallbackFailures, LeasesLimit, MemberOnline, Probes, Refusals }
                .ToDictionary(name => name, name => new MetricCollector<long>(scope, MeterName, name), StringComparer.Ordinal);
            _ratios = new[] { MemberCpu, MemberMemory }
                .ToDictionary(name => name, name => new MetricCollector<double>(scope, MeterName, name), StringComparer.Ordinal);
            Durations = new MetricCollector<double>(scope, MeterName, Duration);
        }

        /// <summary>Gets the collector of <c>cluster_routing.operation.duration</c>.</summary>
        public MetricCollector<double> Durations { get; }

        /// <summary>The measurements of a <see cref="long"/> instrument, in the order they were recorded.</summary>
        public IReadOnlyList<CollectedMeasurement<long>> Of(string instrumentName) => _counts[instrumentName].GetMeasurementSnapshot();

        /// <summary>Collects an observable instrument now and returns what each member reported, in member order.</summary>
        public (string Member, long Value)[] Observe(string instrumentName)
        {
            MetricCollector<long> collector = _counts[instrumentName];
            collector.Clear();
            collector.RecordObservableInstruments();
            return collector.GetMeasurementSnapshot().Select(m => ((string)m.Tags[ClusterRoutingTelemetry.MemberTag]!, m.Value)).ToArray();
        }

        /// <summary>Collects a ratio gauge now and returns what each member reported, in member order.</summary>
        public (string Member, double Value)[] ObserveRatio(string instrumentName)
        {
            MetricCollector<double> collector = _ratios[instrumentName];
            collector.Clear();
            collector.RecordObservableInstruments();
            return collector.GetMeasurementSnapshot().Select(m => ((string)m.Tags[ClusterRoutingTelemetry.MemberTag]!, m.Value)).ToArray();
        }

        /// <summary>The unit of the instrument the collector of <paramref name="instrumentName"/> records (null if none was published).</summary>
        public string? UnitOf(string instrumentName) =>
            (instrumentName == Duration ? Durations.Instrument
                : _ratios.TryGetValue(instrumentName, out MetricCollector<double>? ratio) ? ratio.Instrument
                : _counts[instrumentName].Instrument)?.Unit;

        /// <summary>Collects the leases in flight now and returns what each member reported.</summary>
        public (string Member, long Value)[] ObserveInFlight()
        {
            MetricCollector<long> inFlight = _counts[InFlight];
            int before = inFlight.GetMeasurementSnapshot().Count;
            inFlight.RecordObservableInstruments();
            return inFlight.GetMeasurementSnapshot().Skip(before).Select(m => ((string)m.Tags[ClusterRoutingTelemetry.MemberTag]!, m.Value)).ToArray();
        }

        public void Dispose()
        {
            foreach (MetricCollector<long> collector in _counts.Values)
            {
                collector.Dispose();
            }

            foreach (MetricCollector<double> collector in _ratios.Values)
            {
                collector.Dispose();
            }

            Durations.Dispose();
        }
    }
}

internal static class CollectedMeasurementText
{
    /// <summary>The tags as "key=value" strings in key order, for exact comparisons.</summary>
    public static string[] TagText<T>(this CollectedMeasurement<T> measurement)
        where T : struct =>
        measurement.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}").ToArray();
}
