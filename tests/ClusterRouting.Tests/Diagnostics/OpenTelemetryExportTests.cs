using System.Diagnostics;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using T = ClusterRouting.ClusterRoutingTelemetry;

namespace ClusterRouting.Tests.Diagnostics;

/// <summary>
/// What the real OpenTelemetry SDK exports from ClusterRouting, read back from its in-memory exporter: the duration
/// histogram in the advised buckets, the namespaced tags and <c>error.type</c>, the meter's version, the observable
/// gauges, and the spans of a run and its attempts. The SDK's providers listen process-wide, so these tests run alone
/// (other tests' clusters would otherwise be traced, and the allocation gates would count the spans) and each reads
/// only the points and spans of its own cluster, by its unique name.
/// </summary>
[Collection(ProcessWideListeners.Name)]
public sealed class OpenTelemetryExportTests
{
    [Fact]
    public async Task Metrics_DurationsLandInTheAdvisedBuckets_WithTheNamespacedTags()
    {
        var exported = new List<MetricSnapshot>();
        using MeterProvider meters = Sdk.CreateMeterProviderBuilder().AddMeter(T.MeterName).AddInMemoryExporter(exported).Build();
        var time = new FakeTimeProvider();
        string name = Unique();
        using var cluster = new ClusterSelector(name, Clusters.Options(2), time);

        // A 3 ms DirectQuery on the primary; then an attempt that finds the primary offline after 40 s and fails over
        // to gw-1, which runs a 20-minute refresh.
        await cluster.ExecuteAsync(time, static (t, _, _) => Advance(t, TimeSpan.FromMilliseconds(3)));
        await cluster.ExecuteAsync(time, static (t, lease, _) =>
            lease.MemberId == "gw-0" ? Offline(t, TimeSpan.FromSeconds(40)) : Advance(t, TimeSpan.FromMinutes(20)));
        Assert.True(meters.ForceFlush());

        MetricSnapshot histogram = Assert.Single(exported, m => m.Name == T.OperationDuration && PointsOf(m, name).Any());
        Assert.Equal("s", histogram.Unit);
        Assert.Equal(T.MeterName, histogram.MeterName);
        Assert.False(string.IsNullOrEmpty(histogram.MeterVersion));
        Assert.Equal(typeof(ClusterSelector).Assembly.GetName().Version!.ToString(3), histogram.MeterVersion.Split('-')[0]);

        var byAttempt = PointsOf(histogram, name).ToDictionary(p => $"{Tag(p, T.MemberTag)}/{Tag(p, T.AttemptOutcomeTag)}");
        Assert.Equal(["gw-0/offline", "gw-0/success", "gw-1/success"], byAttempt.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("offline", Tag(byAttempt["gw-0/offline"], T.ErrorTypeTag));
        Assert.Null(Tag(byAttempt["gw-0/success"], T.ErrorTypeTag));

        double[] expectedBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, double.PositiveInfinity];
        foreach (MetricPoint point in byAttempt.Values)
        {
            Assert.Equal(expectedBounds, Buckets(point).Select(b => b.Bound));
            Assert.Equal(1, point.GetHistogramCount());
        }

        Assert.Equal(0.005, FilledBucket(byAttempt["gw-0/success"]));
        Assert.Equal(60, FilledBucket(byAttempt["gw-0/offline"]));
        Assert.Equal(1200, FilledBucket(byAttempt["gw-1/success"]));
        Assert.Equal(1200, byAttempt["gw-1/success"].GetHistogramSum());
    }

    [Fact]
    public void Metrics_CountersAndGauges_ReachTheExporter_PerClusterAndMember()
    {
        var exported = new List<MetricSnapshot>();
        using MeterProvider meters = Sdk.CreateMeterProviderBuilder().AddMeter(T.MeterName).AddInMemoryExporter(exported).Build();
        string name = Unique();
        var options = Clusters.Options(2);
        options.CPUUtilizationPercentageThreshold = 80;
        using var cluster = new ClusterSelector(name, options);
        cluster.ReportUtilization("gw-0", 90, 20);
        using MemberLease held = cluster.Select(); // gw-1: the primary is over its CPU threshold
        cluster.ReportOffline("gw-0");
        Assert.True(meters.ForceFlush());

        Assert.Equal(
            [("gw-0", 0L), ("gw-1", 1L)],
            LongsOf(exported, T.MemberOnline, name));
        Assert.Equal(
            [("gw-0", 0L), ("gw-1", 1L)],
            LongsOf(exported, T.LeasesInFlight, name));
        Assert.Equal(
            [("gw-0", 40L), ("gw-1", 40L)],
            LongsOf(exported, T.LeasesLimit, name));
        Assert.Equal(0.9, Assert.Single(PointsOf(exported, T.MemberCpuUtilization, name)).GetGaugeLastValueDouble(), 10);
        Assert.Equal(0.2, Assert.Single(PointsOf(exported, T.MemberMemoryUtilization, name)).GetGaugeLastValueDouble(), 10);

        MetricPoint selected = Assert.Single(PointsOf(exported, T.Selections, name), p => Tag(p, T.SelectionOutcomeTag) == "selected");
        Assert.Equal("gw-1", Tag(selected, T.MemberTag));
        Assert.Equal(1, selected.GetSumLong());
    }

    [Fact]
    public async Task Tracing_ARunThatFailsOver_ExportsTheRunAndEachAttempt()
    {
        var spans = new List<Activity>();
        using TracerProvider tracer = Sdk.CreateTracerProviderBuilder().AddSource(T.ActivitySourceName).AddInMemoryExporter(spans).Build();
        string name = Unique();
        using var cluster = new ClusterSelector(name, Clusters.Options(3));
        using var caller = new ActivitySource("caller-" + name);
        using TracerProvider callerTracer = Sdk.CreateTracerProviderBuilder().AddSource(caller.Name).Build();
        using Activity? outer = caller.StartActivity("request");

        string ranOn = await cluster.ExecuteAsync(static (lease, _) =>
            lease.MemberId == "gw-0" ? throw new MemberOfflineException("down") : new ValueTask<string>(lease.MemberId));

        Assert.Equal("gw-1", ranOn);
        Assert.Same(outer, Activity.Current);
        Activity[] mine = Of(spans, name);
        Activity run = Assert.Single(mine, s => s.OperationName == T.ExecuteActivityName);
        Activity[] attempts = mine.Where(s => s.OperationName == T.AttemptActivityName).OrderBy(s => s.GetTagItem(T.AttemptNumberTag)).ToArray();
        Assert.Equal(2, attempts.Length);
        Assert.Equal(outer!.SpanId, run.ParentSpanId);
        Assert.All(attempts, a => Assert.Equal(run.SpanId, a.ParentSpanId));
        Assert.Equal(ActivityStatusCode.Unset, run.Status);
        Assert.Null(run.GetTagItem(T.ErrorTypeTag));

        Assert.Equal(
            [("gw-0", 1, false, "offline", "offline", ActivityStatusCode.Error), ("gw-1", 2, true, "success", null, ActivityStatusCode.Unset)],
            attempts.Select(a => (
                (string)a.GetTagItem(T.MemberTag)!,
                (int)a.GetTagItem(T.AttemptNumberTag)!,
                (bool)a.GetTagItem(T.FailoverTag)!,
                (string)a.GetTagItem(T.AttemptOutcomeTag)!,
                (string?)a.GetTagItem(T.ErrorTypeTag),
                a.Status)));
    }

    [Fact]
    public async Task Tracing_NoMemberCanTakeIt_TheRunSaysWhy()
    {
        var spans = new List<Activity>();
        using TracerProvider tracer = Sdk.CreateTracerProviderBuilder().AddSource(T.ActivitySourceName).AddInMemoryExporter(spans).Build();
        string name = Unique();
        var options = Clusters.Options(2);
        options.MemoryUtilizationPercentageThreshold = 70;
        using var cluster = new ClusterSelector(name, options);
        cluster.ReportUtilization("gw-0", 10, 75);
        cluster.ReportUtilization("gw-1", 10, 90);

        var error = await Assert.ThrowsAsync<ClusterThrottledException>(() => cluster.ExecuteAsync(static (_, _) => new ValueTask<int>(1)).AsTask());

        Activity run = Assert.Single(Of(spans, name));
        Assert.Equal(T.ExecuteActivityName, run.OperationName);
        Assert.Equal("throttled", run.GetTagItem(T.ErrorTypeTag));
        Assert.Equal("memory", run.GetTagItem(T.LimitTag));
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.Equal(error.Message, run.StatusDescription);
    }

    [Fact]
    public async Task Tracing_PrimaryOnlyRun_IsMarked_AndAnOperationsOwnErrorIsItsType()
    {
        var spans = new List<Activity>();
        using TracerProvider tracer = Sdk.CreateTracerProviderBuilder().AddSource(T.ActivitySourceName).AddInMemoryExporter(spans).Build();
        string name = Unique();
        using var cluster = new ClusterSelector(name, Clusters.Options(2));

        await Assert.ThrowsAsync<InvalidOperationException>(() => cluster.ExecutePrimaryAsync<int>(static (_, _) => throw new InvalidOperationException("bug")).AsTask());

        Activity[] mine = Of(spans, name);
        Activity run = Assert.Single(mine, s => s.OperationName == T.ExecuteActivityName);
        Activity attempt = Assert.Single(mine, s => s.OperationName == T.AttemptActivityName);
        Assert.Equal(true, run.GetTagItem(T.PrimaryOnlyTag));
        Assert.Equal("gw-0", attempt.GetTagItem(T.MemberTag));
        Assert.Equal("error", attempt.GetTagItem(T.AttemptOutcomeTag));
        Assert.Equal("System.InvalidOperationException", attempt.GetTagItem(T.ErrorTypeTag));
        Assert.Equal(ActivityStatusCode.Error, attempt.Status);
    }

    private static string Unique() => "otel-" + Guid.NewGuid().ToString("N");

    private static ValueTask<int> Advance(FakeTimeProvider time, TimeSpan by)
    {
        time.Advance(by);
        return new ValueTask<int>(0);
    }

    private static ValueTask<int> Offline(FakeTimeProvider time, TimeSpan after)
    {
        time.Advance(after);
        throw new MemberOfflineException("gateway unreachable");
    }

    private static Activity[] Of(List<Activity> spans, string clusterName)
    {
        lock (spans)
        {
            return spans.Where(s => (string?)s.GetTagItem(T.ClusterTag) == clusterName).ToArray();
        }
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (KeyValuePair<string, object?> tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value?.ToString();
            }
        }

        return null;
    }

    private static IEnumerable<MetricPoint> PointsOf(MetricSnapshot metric, string clusterName) =>
        metric.MetricPoints.Where(p => Tag(p, T.ClusterTag) == clusterName);

    private static IEnumerable<MetricPoint> PointsOf(List<MetricSnapshot> exported, string instrument, string clusterName) =>
        exported.Where(m => m.Name == instrument).SelectMany(m => PointsOf(m, clusterName));

    /// <summary>A long instrument's values per member: a gauge's last value, or a sum's (the observable up-down counter exports as a sum).</summary>
    private static (string Member, long Value)[] LongsOf(List<MetricSnapshot> exported, string instrument, string clusterName) =>
        exported.Where(m => m.Name == instrument)
            .SelectMany(m => PointsOf(m, clusterName).Select(p => (Tag(p, T.MemberTag)!, m.MetricType.IsGauge() ? p.GetGaugeLastValueLong() : p.GetSumLong())))
            .OrderBy(p => p.Item1, StringComparer.Ordinal)
            .ToArray();

    private static List<(double Bound, long Count)> Buckets(MetricPoint point)
    {
        var buckets = new List<(double, long)>();
        foreach (HistogramBucket bucket in point.GetHistogramBuckets())
        {
            buckets.Add((bucket.ExplicitBound, bucket.BucketCount));
        }

        return buckets;
    }

    /// <summary>The upper bound of the one bucket that holds the point's single measurement.</summary>
    private static double FilledBucket(MetricPoint point) => Assert.Single(Buckets(point), b => b.Count > 0).Bound;
}

/// <summary>Tests whose listeners (OpenTelemetry providers) see every cluster in the process: they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideListeners
{
    public const string Name = "Process-wide listeners";
}
