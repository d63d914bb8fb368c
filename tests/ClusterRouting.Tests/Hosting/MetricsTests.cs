using System.Diagnostics.Metrics;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterRouting.Tests.Hosting;

/// <summary>
/// The instruments, observed with a <see cref="MeterListener"/> on the meter that the container's meter factory
/// created, so that measurements of clusters in other tests (other factories, or the shared meter) do not interfere.
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
        (ClusterSelector _, TestMeterListener metrics, RoutingServices _) = Create(("Members:0:Id", "gw-0"));

        Assert.Equal(
            [
                (CallbackFailures, "{failure}"),
                (Failovers, "{selection}"),
                (InFlight, "{lease}"),
                (OfflineAttempts, "{attempt}"),
                (Duration, "s"),
                (Selections, "{selection}"),
                (ThrottledSelections, "{selection}"),
            ],
            metrics.Instruments.Values.OrderBy(i => i.Name, StringComparer.Ordinal).Select(i => (i.Name, i.Unit)));
    }

    [Fact]
    public void Select_CountsSelectionsByClusterMemberAndOutcome()
    {
        (ClusterSelector cluster, TestMeterListener metrics, _) = Create(("Mode", "RoundRobin"), ("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));

        Assert.Equal(["gw-0", "gw-1", "gw-0"], cluster.SelectIds(3));

        RecordedMeasurement[] selections = metrics.Of(Selections);
        Assert.Equal([1d, 1d, 1d], selections.Select(m => m.Value));
        Assert.Equal(["cluster=metrics", "member=gw-0", "outcome=selected"], selections[0].TagText);
        Assert.Equal(["cluster=metrics", "member=gw-1", "outcome=selected"], selections[1].TagText);
        Assert.Equal(["cluster=metrics", "member=gw-0", "outcome=selected"], selections[2].TagText);
        Assert.All(selections, m => Assert.Equal("{selection}", m.Unit));
        Assert.Empty(metrics.Of(Failovers));
        Assert.Empty(metrics.Of(ThrottledSelections));
    }

    [Fact]
    public void TrySelect_EveryMemberThrottled_CountsAThrottledSelectionWithTheLimit()
    {
        (ClusterSelector cluster, TestMeterListener metrics, _) = Create(("CPUUtilizationPercentageThreshold", "80"), ("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));
        cluster.ReportUtilization("gw-0", 90, 0);
        cluster.ReportUtilization("gw-1", 85, 0);

        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));

        Assert.True(failure.IsThrottled);
        RecordedMeasurement selection = Assert.Single(metrics.Of(Selections));
        Assert.Equal(1, selection.Value);
        Assert.Equal(["cluster=metrics", "outcome=throttled"], selection.TagText);
        RecordedMeasurement throttled = Assert.Single(metrics.Of(ThrottledSelections));
        Assert.Equal(1, throttled.Value);
        Assert.Equal(["cluster=metrics", "limit=cpu"], throttled.TagText);
        Assert.Equal("{selection}", throttled.Unit);
        Assert.Empty(metrics.Of(InFlight));
    }

    [Fact]
    public void TrySelect_EveryMemberDisabled_CountsAnUnavailableSelectionOnly()
    {
        (ClusterSelector cluster, TestMeterListener metrics, _) = Create(("Members:0:Id", "gw-0"), ("Members:0:Enabled", "false"));

        Assert.False(cluster.TrySelect(out _, out _));

        RecordedMeasurement selection = Assert.Single(metrics.Of(Selections));
        Assert.Equal(["cluster=metrics", "outcome=unavailable"], selection.TagText);
        Assert.Empty(metrics.Of(ThrottledSelections));
    }

    [Fact]
    public void TrySelectPrimary_PrimaryThrottled_CountsAThrottledSelectionWithItsLimit()
    {
        (ClusterSelector cluster, TestMeterListener metrics, _) = Create(("CPUUtilizationPercentageThreshold", "80"), ("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));
        cluster.ReportUtilization("gw-0", 90, 0);

        Assert.False(cluster.TrySelectPrimary(out _, out _));

        Assert.Equal(["cluster=metrics", "outcome=throttled"], Assert.Single(metrics.Of(Selections)).TagText);
        Assert.Equal(["cluster=metrics", "limit=cpu"], Assert.Single(metrics.Of(ThrottledSelections)).TagText);
    }

    [Fact]
    public void TrySelectPrimary_PrimaryDisabled_CountsAnUnavailableSelectionNotAThrottledOne()
    {
        (ClusterSelector cluster, TestMeterListener metrics, _) = Create(("Members:0:Id", "gw-0"), ("Members:0:Enabled", "false"), ("Members:1:Id", "gw-1"));

        Assert.False(cluster.TrySelectPrimary(out _, out _));

        Assert.Equal(["cluster=metrics", "outcome=unavailable"], Assert.Single(metrics.Of(Selections)).TagText);
        Assert.Empty(metrics.Of(ThrottledSelections));
    }

    [Fact]
    public void Select_FailoverModePastTheDisabledPrimary_CountsAFailoverToGw1()
    {
        (ClusterSelector cluster, TestMeterListener metrics, _) = Create(("Members:0:Id", "gw-0"), ("Members:0:Enabled", "false"), ("Members:1:Id", "gw-1"));

        Assert.Equal("gw-1", cluster.SelectOnce());

        RecordedMeasurement failover = Assert.Single(metrics.Of(Failovers));
        Assert.Equal(1, failover.Value);
        Assert.Equal(["cluster=metrics", "member=gw-1"], failover.TagText);
        Assert.Equal("{selection}", failover.Unit);
    }

    [Fact]
    public void Select_RoundRobinToASecondMember_IsNotAFailover()
    {
        (ClusterSelector cluster, TestMeterListener metrics, _) = Create(("Mode", "RoundRobin"), ("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));

        Assert.Equal(["gw-0", "gw-1"], cluster.SelectIds(2));

        Assert.Empty(metrics.Of(Failovers));
    }

    [Fact]
    public void ReportOffline_CountsAnOfflineAttempt()
    {
        (ClusterSelector cluster, TestMeterListener metrics, _) = Create(("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));

        Assert.True(cluster.ReportOffline("gw-0"));
        Assert.False(cluster.ReportOffline("nope"));

        RecordedMeasurement attempt = Assert.Single(metrics.Of(OfflineAttempts));
        Assert.Equal(1, attempt.Value);
        Assert.Equal(["cluster=metrics", "member=gw-0"], attempt.TagText);
        Assert.Equal("{attempt}", attempt.Unit);
    }

    [Fact]
    public void InFlight_IsObservedPerMember_FromTheLeasesOutWhenCollected()
    {
        (ClusterSelector cluster, TestMeterListener metrics, _) = Create(("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));

        Assert.True(cluster.TrySelect(out MemberLease lease, out _));
        Assert.Empty(metrics.Of(InFlight));
        Assert.Equal([("gw-0", 1d), ("gw-1", 0d)], metrics.Observe(InFlight));
        lease.Dispose();
        lease.Dispose();

        Assert.Equal([("gw-0", 0d), ("gw-1", 0d)], metrics.Observe(InFlight));
        Assert.All(metrics.Of(InFlight), m => Assert.Equal("{lease}", m.Unit));
        Assert.All(metrics.Of(InFlight), m => Assert.Equal("cluster=metrics", m.TagText[0]));
    }

    [Fact]
    public void TrySelectPrimary_CountsTheSelectionAndTheLease()
    {
        (ClusterSelector cluster, TestMeterListener metrics, _) = Create(("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));

        Assert.True(cluster.TrySelectPrimary(out MemberLease lease, out _));
        Assert.Equal([("gw-0", 1d), ("gw-1", 0d)], metrics.Observe(InFlight));
        lease.Dispose();

        Assert.Equal(["cluster=metrics", "member=gw-0", "outcome=selected"], Assert.Single(metrics.Of(Selections)).TagText);
        Assert.Equal([("gw-0", 0d), ("gw-1", 0d)], metrics.Observe(InFlight));
    }

    [Fact]
    public async Task ExecuteAsync_RecordsTheDurationOfEachAttemptByOutcome()
    {
        (ClusterSelector cluster, TestMeterListener metrics, RoutingServices services) = Create(("Members:0:Id", "gw-0"), ("Members:1:Id", "gw-1"));

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
        RecordedMeasurement[] durations = metrics.Of(Duration);
        Assert.Equal([0.1, 0.25], durations.Select(m => m.Value));
        Assert.Equal(["cluster=metrics", "member=gw-0", "outcome=offline"], durations[0].TagText);
        Assert.Equal(["cluster=metrics", "member=gw-1", "outcome=success"], durations[1].TagText);
        Assert.All(durations, m => Assert.Equal("s", m.Unit));
        Assert.Equal(["cluster=metrics", "member=gw-0"], Assert.Single(metrics.Of(OfflineAttempts)).TagText);
        Assert.Equal([("gw-0", 0d), ("gw-1", 0d)], metrics.Observe(InFlight));
        Assert.Equal(["cluster=metrics", "member=gw-1"], Assert.Single(metrics.Of(Failovers)).TagText);
    }

    [Fact]
    public void Listener_OnAnotherFactory_SeesNothingOfThisCluster()
    {
        (ClusterSelector cluster, TestMeterListener metrics, _) = Create(("Members:0:Id", "gw-0"));
        (ClusterSelector other, TestMeterListener otherMetrics, _) = Create(("Members:0:Id", "gw-0"));

        Assert.Equal("gw-0", cluster.SelectOnce());

        Assert.Single(metrics.Of(Selections));
        Assert.Empty(otherMetrics.Of(Selections));
        Assert.Equal("gw-0", other.SelectOnce());
        Assert.Single(metrics.Of(Selections));
        Assert.Single(otherMetrics.Of(Selections));
    }

    /// <summary>Builds a container with AddMetrics, starts a listener on its meter factory, then resolves cluster "metrics".</summary>
    private (ClusterSelector Cluster, TestMeterListener Metrics, RoutingServices Services) Create(params (string Key, string? Value)[] settings)
    {
        RoutingServices services = RoutingServices.Create(Settings.Cluster("metrics", settings), configureServices: s => s.AddMetrics());
        _disposables.Add(services);
        var listener = new TestMeterListener(services.Services.GetRequiredService<IMeterFactory>());
        _disposables.Add(listener);
        return (services.Cluster("metrics"), listener, services);
    }
}
