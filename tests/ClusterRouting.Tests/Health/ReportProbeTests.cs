using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Health;

/// <summary>
/// <see cref="IClusterSelector.ReportProbe"/>: an active health probe's result shapes the same view of a member as the
/// outcomes of operations do, without being an operation: it takes no slot, and a failed probe is not an attempt
/// wasted on the member.
/// </summary>
public sealed class ReportProbeTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _logger = new();
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly ClusterSelector _cluster;

    public ReportProbeTests()
    {
        ClusterOptions options = Clusters.Options(3);
        options.OfflinePenaltyJitter = 0;
        options.CPUUtilizationPercentageThreshold = 80;
        options.ConcurrentOperationLimitPreview = 1;
        options.Members[0].Version = "3000.250.5";
        options.Members[1].Version = "3000.250.5";
        _cluster = new ClusterSelector("probed", options, _time, logger: _logger, meterFactory: _metrics.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
    }

    public void Dispose()
    {
        _cluster.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public void OfflineProbe_PenalizesTheMember_WithoutCountingAWastedAttempt()
    {
        using MetricCollector<long> offlineAttempts = Collect("cluster_routing.offline_attempts");
        using MetricCollector<long> probes = Collect("cluster_routing.probes");

        Assert.True(_cluster.ReportProbe("gw-0", MemberProbeResult.Offline));

        MemberStatus primary = _cluster.GetStatus().Members[0];
        Assert.Equal((MemberHealth.Penalized, 1), (primary.Health, primary.ConsecutiveOfflineResults));
        Assert.Equal("gw-1", _cluster.SelectOnce());
        Assert.Empty(offlineAttempts.GetMeasurementSnapshot());
        CollectedMeasurement<long> probe = Assert.Single(probes.GetMeasurementSnapshot());
        Assert.Equal("offline", probe.Tags[ClusterRoutingTelemetry.ProbeOutcomeTag]);
        Assert.Equal("gw-0", probe.Tags[ClusterRoutingTelemetry.MemberTag]);
    }

    [Fact]
    public void OnlineProbe_IsCountedWithTheOnlineOutcome()
    {
        using MetricCollector<long> probes = Collect("cluster_routing.probes");

        Assert.True(_cluster.ReportProbe("gw-1", MemberProbeResult.Online(20, 30)));

        CollectedMeasurement<long> probe = Assert.Single(probes.GetMeasurementSnapshot());
        Assert.Equal("online", probe.Tags[ClusterRoutingTelemetry.ProbeOutcomeTag]);
        Assert.Equal("gw-1", probe.Tags[ClusterRoutingTelemetry.MemberTag]);
    }

    [Fact]
    public void OfflineProbes_InARow_DoubleThePenalty_AsOfflineAttemptsDo()
    {
        _cluster.ReportProbe("gw-0", MemberProbeResult.Offline);
        _cluster.ReportProbe("gw-0", MemberProbeResult.Offline);

        MemberStatus primary = _cluster.GetStatus().Members[0];
        Assert.Equal(2, primary.ConsecutiveOfflineResults);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(10), primary.PenalizedUntil);
    }

    [Fact]
    public void OnlineProbe_RestoresAPenalizedMember_AtOnce()
    {
        _cluster.ReportOffline("gw-0");
        Assert.Equal("gw-1", _cluster.SelectOnce());

        _cluster.ReportProbe("gw-0", MemberProbeResult.Online());

        MemberStatus primary = _cluster.GetStatus().Members[0];
        Assert.Equal((MemberHealth.Online, 0), (primary.Health, primary.ConsecutiveOfflineResults));
        Assert.Equal("gw-0", _cluster.SelectOnce());
    }

    [Fact]
    public void OnlineProbe_WithLoad_ReplacesTheUtilization_AndThrottlesOverTheThreshold()
    {
        _cluster.ReportProbe("gw-0", MemberProbeResult.Online(cpuPercent: 90, memoryPercent: 40));

        MemberStatus primary = _cluster.GetStatus().Members[0];
        Assert.Equal((90.0, 40.0), (primary.CpuPercent, primary.MemoryPercent));
        Assert.Equal(MemberRejectionReason.CpuLimit, primary.Throttle);
        Assert.Equal("gw-1", _cluster.SelectOnce());

        // The member's report is its own average: it replaces the last one, it is not averaged with it.
        _cluster.ReportProbe("gw-0", MemberProbeResult.Online(cpuPercent: 10, memoryPercent: 40));
        Assert.Equal(10.0, _cluster.GetStatus().Members[0].CpuPercent);
        Assert.Equal("gw-0", _cluster.SelectOnce());
    }

    [Fact]
    public void OnlineProbe_WithLoad_ReplacesSamplesReportedByTheApplication()
    {
        _cluster.ReportUtilization("gw-0", 20, 20);
        _cluster.ReportUtilization("gw-0", 30, 30);

        _cluster.ReportProbe("gw-0", MemberProbeResult.Online(cpuPercent: 85, memoryPercent: 5));

        Assert.Equal((85.0, 5.0), (_cluster.GetStatus().Members[0].CpuPercent, _cluster.GetStatus().Members[0].MemoryPercent));
        Assert.Equal(MemberRejectionReason.CpuLimit, _cluster.GetStatus().Members[0].Throttle);
    }

    [Fact]
    public void OnlineProbe_WithOnlyOneFigure_AddsNoSample()
    {
        _cluster.ReportProbe("gw-0", MemberProbeResult.Online(cpuPercent: 95));

        Assert.Null(_cluster.GetStatus().Members[0].CpuPercent);
        Assert.Equal("gw-0", _cluster.SelectOnce());
    }

    [Fact]
    public void OnlineProbe_WithAVersion_ReplacesTheMembersVersion_AndASkewIsLogged()
    {
        _cluster.ReportProbe("gw-2", MemberProbeResult.Online(version: "3000.250.5"));
        Assert.False(_cluster.GetStatus().HasVersionSkew);
        Assert.DoesNotContain(_logger.Collector.GetSnapshot(), r => r.Id.Name == "VersionSkew");

        _cluster.ReportProbe("gw-1", MemberProbeResult.Online(version: "3000.260.1"));

        ClusterStatus status = _cluster.GetStatus();
        Assert.Equal(["3000.250.5", "3000.260.1", "3000.250.5"], status.Members.Select(m => m.Version));
        Assert.True(status.HasVersionSkew);
        FakeLogRecord skew = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "VersionSkew");
        Assert.Contains("3000.260.1", skew.Message, StringComparison.Ordinal);

        _cluster.ReportProbe("gw-1", MemberProbeResult.Online(version: "3000.260.1"));
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "VersionSkew");
    }

    [Fact]
    public void Probe_TakesNoSlot_OnAFullMember()
    {
        using MemberLease held = _cluster.Select(); // gw-0 at its limit of 1

        Assert.True(_cluster.ReportProbe("gw-0", MemberProbeResult.Online(cpuPercent: 10, memoryPercent: 10)));

        MemberStatus primary = _cluster.GetStatus().Members[0];
        Assert.Equal(1, primary.InFlight);
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, primary.Throttle);
    }

    [Fact]
    public void Probe_UnknownMember_ReturnsFalse_AndChangesNothing()
    {
        Assert.False(_cluster.ReportProbe("gw-9", MemberProbeResult.Offline));
        Assert.All(_cluster.GetStatus().Members, m => Assert.Equal(MemberHealth.Online, m.Health));
    }

    [Fact]
    public void Probe_BadInput_IsATypedErrorNamingTheArgument()
    {
        Assert.Equal("memberId", Assert.Throws<ArgumentNullException>(() => _cluster.ReportProbe(null!, MemberProbeResult.Offline)).ParamName);
        Assert.Equal("memberId", Assert.Throws<ArgumentException>(() => _cluster.ReportProbe(" ", MemberProbeResult.Offline)).ParamName);
        Assert.Equal("cpuPercent", Assert.Throws<ArgumentOutOfRangeException>(() => MemberProbeResult.Online(cpuPercent: 101)).ParamName);
        Assert.Equal("memoryPercent", Assert.Throws<ArgumentOutOfRangeException>(() => MemberProbeResult.Online(memoryPercent: double.NaN)).ParamName);
    }

    [Fact]
    public void Probe_DisposedCluster_Throws()
    {
        _cluster.Dispose();

        Assert.Throws<ObjectDisposedException>(() => _cluster.ReportProbe("gw-0", MemberProbeResult.Offline));
    }

    [Fact]
    public void ProbeResult_Values_AreComparedAndPrinted()
    {
        Assert.Equal(MemberProbeResult.Offline, default);
        Assert.False(MemberProbeResult.Offline.IsOnline);
        Assert.Equal(MemberProbeResult.Online(1, 2, "v"), MemberProbeResult.Online(1, 2, "v"));
        Assert.NotEqual(MemberProbeResult.Online(1, 2, "v"), MemberProbeResult.Online(1, 2, "w"));
        Assert.Null(MemberProbeResult.Online(version: " ").Version);
        Assert.Equal("online (CPU 12.5%, memory -%, version 3000.1)", MemberProbeResult.Online(12.5, null, "3000.1").ToString());
        Assert.Equal("offline", MemberProbeResult.Offline.ToString());
    }

    [Fact]
    public async Task Probes_ConcurrentWithSelections_LeaveNoSlotTaken_AndEndInTheLastProbesState()
    {
        ClusterOptions options = Clusters.Options(3);
        using var cluster = new ClusterSelector("race", options);
        using var stop = new CancellationTokenSource();
        Task[] selectors = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (cluster.TrySelect(out MemberLease lease))
                {
                    lease.Dispose();
                }
            }
        })).ToArray();

        for (int i = 0; i < 2_000; i++)
        {
            cluster.ReportProbe("gw-0", i % 2 == 0 ? MemberProbeResult.Offline : MemberProbeResult.Online(i % 100, 50, "v" + (i % 3)));
        }

        await stop.CancelAsync();
        await Task.WhenAll(selectors);
        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Equal(MemberHealth.Online, primary.Health);
        Assert.Equal("v1", primary.Version); // i = 1999: 1999 % 3
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    private MetricCollector<long> Collect(string instrument) =>
        new(_metrics.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), ClusterRoutingTelemetry.MeterName, instrument);
}
