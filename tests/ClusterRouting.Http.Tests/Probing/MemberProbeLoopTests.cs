using ClusterRouting.Testing;
using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Http.Tests.Probing;

/// <summary>
/// What each probe's outcome does to a real cluster (<see cref="MemberProbeLoop.Report"/>): the threshold of failures in
/// a row, restoring, the load and version an answer carries, the limit a member says it is over, and what a member's
/// nonsense figures become.
/// </summary>
public sealed class MemberProbeLoopTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _logger = new();
    private readonly HealthProbingOptions _options = new() { UnhealthyThreshold = 2, Interval = TimeSpan.FromSeconds(5) };
    private readonly ClusterSelector _cluster;
    private readonly MemberProbeLoop _loop;

    public MemberProbeLoopTests()
    {
        var options = new ClusterOptions { OfflinePenaltyJitter = 0, CPUUtilizationPercentageThreshold = 80 };
        options.Members.Add(new ClusterMemberOptions("gw-1") { Address = new Uri("http://127.0.0.1:1/") });
        options.Members.Add(new ClusterMemberOptions("gw-2") { Address = new Uri("http://127.0.0.1:2/") });
        _cluster = new ClusterSelector("probed", options, _time);
        var prober = new MemberProber(() => throw new InvalidOperationException("not used"), _options, _time);
        _loop = new MemberProbeLoop(_cluster, "gw-1", new Uri("http://127.0.0.1:1/"), prober, _options, _time, _logger);
    }

    public void Dispose() => _cluster.Dispose();

    private MemberStatus Member => _cluster.GetStatus().Members[0];

    [Fact]
    public void FailuresBelowTheThreshold_ReportNothing_TheThresholdReportsOffline_AndEveryFailureAfterIt()
    {
        Assert.True(_loop.Report(ProbeOutcome.Failed("connection refused")));
        Assert.Equal(MemberHealth.Online, Member.Health);

        Assert.True(_loop.Report(ProbeOutcome.Failed("connection refused")));
        Assert.Equal((MemberHealth.Penalized, 1), (Member.Health, Member.ConsecutiveOfflineResults));
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "MemberDown");

        Assert.True(_loop.Report(ProbeOutcome.Failed("connection refused")));
        Assert.Equal(2, Member.ConsecutiveOfflineResults); // keeps the member penalized while it stays down
        Assert.Equal(3, _loop.ConsecutiveFailures);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "MemberDown");
    }

    [Fact]
    public void AnAnswerAfterTheMemberWasDown_RestoresIt_AndSaysSo()
    {
        _loop.Report(ProbeOutcome.Failed("timeout"));
        _loop.Report(ProbeOutcome.Failed("timeout"));

        Assert.True(_loop.Report(Answer(cpu: 10, memory: 20, version: "3000.1")));

        Assert.Equal((MemberHealth.Online, 0), (Member.Health, _loop.ConsecutiveFailures));
        Assert.Equal(("3000.1", 10.0, 20.0), (Member.Version, Member.CpuPercent, Member.MemoryPercent));
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "MemberAnswersAgain");
    }

    [Fact]
    public void AnAnswerThatSaysOffline_IsAFailure()
    {
        var offline = new ProbeOutcome(new MemberHealthAnswer { Online = false }, null, null);

        _loop.Report(offline);
        _loop.Report(offline);

        Assert.Equal(MemberHealth.Penalized, Member.Health);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Id.Name == "ProbeFailed" && r.Message.Contains("reports itself offline", StringComparison.Ordinal));
    }

    [Fact]
    public void AMemberOverItsCpuThreshold_GetsNoNewWork_UntilTheNextProbe()
    {
        _loop.Report(Answer(cpu: 50, memory: 20, overLimit: "cpu"));

        Assert.Equal(MemberRejectionReason.CpuLimit, Member.Throttle);
        Assert.Equal(_options.Interval, Member.ThrottleRetryAfter);
        Assert.Equal("gw-2", SelectOnce());

        _time.Advance(_options.Interval);
        _loop.Report(Answer(cpu: 50, memory: 20));
        Assert.Equal(MemberRejectionReason.None, Member.Throttle);
    }

    [Fact]
    public void AFullMember_IsLeftToItsOwnRefusals()
    {
        _loop.Report(Answer(cpu: 10, memory: 10, overLimit: "concurrency"));

        Assert.Equal(MemberRejectionReason.None, Member.Throttle);
        Assert.Equal("gw-1", SelectOnce());
    }

    [Theory]
    [InlineData(150.0, 100.0)]
    [InlineData(0.0, 0.0)]
    [InlineData(-5.0, null)]
    [InlineData(double.NaN, null)]
    public void NonsenseFigures_AreCappedOrDropped(double reported, double? kept)
    {
        _loop.Report(Answer(cpu: reported, memory: 10));

        Assert.Equal(kept, Member.CpuPercent);
    }

    [Fact]
    public void AMemberTheClusterNoLongerHas_EndsTheLoop()
    {
        _cluster.RemoveMember("gw-1");

        Assert.False(_loop.Report(Answer(cpu: 10, memory: 10)));
        Assert.False(_loop.Report(ProbeOutcome.Failed("gone")));
    }

    [Fact]
    public async Task RunAsync_LoggerThrows_KeepsProbing()
    {
        // Found by the soak: a logger that threw while a probe's outcome was logged, and again while that failure was
        // logged, ended the member's probe loop: it was never probed again, and its faulted task went unobserved.
        var logger = new ThrowingLogger();
        int probes = 0;
        var refusing = new RefusingHandler(() => Interlocked.Increment(ref probes));
        var prober = new MemberProber(() => new HttpClient(refusing, disposeHandler: false), _options, _time);
        var loop = new MemberProbeLoop(_cluster, "gw-1", new Uri("http://127.0.0.1:1/"), prober, _options, _time, logger);
        using var stop = new CancellationTokenSource();
        Task running = loop.RunAsync(TimeSpan.Zero, stop.Token);

        long started = TimeProvider.System.GetTimestamp();
        while (Volatile.Read(ref probes) < 4)
        {
            Assert.False(running.IsCompleted, $"the probe loop ended after {Volatile.Read(ref probes)} probes: {running.Exception}");
            Assert.True(TimeProvider.System.GetElapsedTime(started) < TimeSpan.FromSeconds(10), "the loop did not probe 4 times in 10 s");
            _time.Advance(_options.Interval);
            await Task.Delay(10);
        }

        Assert.Equal(MemberHealth.Penalized, Member.Health);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(logger.Calls > 0);
    }

    [Fact]
    public async Task RunAsync_MemberRemovedFromTheCluster_EndsAfterItsNextProbe()
    {
        int probes = 0;
        var refusing = new RefusingHandler(() => Interlocked.Increment(ref probes));
        var prober = new MemberProber(() => new HttpClient(refusing, disposeHandler: false), _options, _time);
        var loop = new MemberProbeLoop(_cluster, "gw-1", new Uri("http://127.0.0.1:1/"), prober, _options, _time, _logger);
        _cluster.RemoveMember("gw-1");
        using var stop = new CancellationTokenSource();

        await loop.RunAsync(TimeSpan.Zero, stop.Token).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, probes);
        Assert.Equal(["gw-2"], _cluster.GetStatus().Members.Select(m => m.Id));
    }

    [Fact]
    public void EachFailedProbe_IsLoggedWithWhyAndHowManyInARow_TheThresholdAsTheMemberDown_AndTheAnswerAfterAsItsReturn()
    {
        var error = new HttpRequestException(HttpRequestError.ConnectionError, "refused");
        _loop.Report(ProbeOutcome.Failed("ConnectionError: refused", error));
        _loop.Report(new ProbeOutcome(null, null, null));
        _loop.Report(new ProbeOutcome(new MemberHealthAnswer { Online = false }, "ignored when there is an answer", null));
        _loop.Report(Answer(cpu: 1, memory: 1));

        Assert.Equal(
            [
                (LogLevel.Debug, "ProbeFailed", "The health probe of member gw-1 of cluster probed failed (1 in a row): ConnectionError: refused."),
                (LogLevel.Debug, "ProbeFailed", "The health probe of member gw-1 of cluster probed failed (2 in a row): no answer."),
                (LogLevel.Warning, "MemberDown", "Member gw-1 of cluster probed failed 2 health probes in a row (no answer): it is reported offline until it answers again."),
                (LogLevel.Debug, "ProbeFailed", "The health probe of member gw-1 of cluster probed failed (3 in a row): it reports itself offline."),
                (LogLevel.Information, "MemberAnswersAgain", "Member gw-1 of cluster probed answers its health probe again after 3 failures: it is restored."),
            ],
            _logger.Collector.GetSnapshot().Select(r => (r.Level, r.Id.Name, r.Message)));
        Assert.Same(error, _logger.Collector.GetSnapshot()[0].Exception);
    }

    [Fact]
    public async Task RunAsync_ReportingThrows_LogsIt_AndKeepsProbing()
    {
        int probes = 0;
        var refusing = new RefusingHandler(() => Interlocked.Increment(ref probes));
        var prober = new MemberProber(() => new HttpClient(refusing, disposeHandler: false), _options, _time);
        var failure = new InvalidOperationException("the cluster could not take the report");
        var loop = new MemberProbeLoop(new FailingReports(_cluster, failure), "gw-1", new Uri("http://127.0.0.1:1/"), prober, _options, _time, _logger);
        using var stop = new CancellationTokenSource();
        Task running = loop.RunAsync(TimeSpan.Zero, stop.Token);

        await Members.WaitUntilAsync(
            () =>
            {
                _time.Advance(_options.Interval);
                return Volatile.Read(ref probes) >= 3;
            },
            "three probes are sent");

        Assert.False(running.IsCompleted, $"the probe loop ended: {running.Exception}");
        FakeLogRecord reportFailed = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "ProbeReportFailed" && r.Message.Contains("gw-1", StringComparison.Ordinal));
        Assert.Equal((LogLevel.Warning, 114), (reportFailed.Level, reportFailed.Id.Id));
        Assert.Equal("Reporting the health probe of member gw-1 of cluster probed failed; probing goes on.", reportFailed.Message);
        Assert.Same(failure, reportFailed.Exception);
        await stop.CancelAsync();
        await running.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>A cluster whose probe reports throw once (the second failure in a row, the first one reported); everything else goes to the real cluster.</summary>
    private sealed class FailingReports(ClusterSelector inner, Exception failure) : IClusterSelector
    {
        private int _thrown;

        public string ClusterName => inner.ClusterName;

        public SelectionMode Mode => inner.Mode;

        public int MemberCount => inner.MemberCount;

        public bool TrySelect(out MemberLease lease) => inner.TrySelect(out lease);

        public bool TrySelect(out MemberLease lease, out SelectionFailure failure) => inner.TrySelect(out lease, out failure);

        public bool TrySelect(IReadOnlyList<string> excludedMemberIds, out MemberLease lease, out SelectionFailure failure) => inner.TrySelect(excludedMemberIds, out lease, out failure);

        public MemberLease Select() => inner.Select();

        public bool TrySelectPrimary(out MemberLease lease, out SelectionFailure failure) => inner.TrySelectPrimary(out lease, out failure);

        public MemberLease SelectPrimary() => inner.SelectPrimary();

        public ValueTask<TResult> ExecuteAsync<TResult>(Func<MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default) => inner.ExecuteAsync(operation, cancellationToken);

        public ValueTask<TResult> ExecuteAsync<TState, TResult>(TState state, Func<TState, MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default) => inner.ExecuteAsync(state, operation, cancellationToken);

        public ValueTask<TResult> ExecutePrimaryAsync<TResult>(Func<MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default) => inner.ExecutePrimaryAsync(operation, cancellationToken);

        public ValueTask<TResult> ExecutePrimaryAsync<TState, TResult>(TState state, Func<TState, MemberLease, CancellationToken, ValueTask<TResult>> operation, CancellationToken cancellationToken = default) => inner.ExecutePrimaryAsync(state, operation, cancellationToken);

        public bool ReportUtilization(string memberId, double cpuPercent, double memoryPercent) => inner.ReportUtilization(memberId, cpuPercent, memoryPercent);

        public bool ReportRefusal(string memberId, ThrottleLimitKind limit, TimeSpan? coolDown = null) => inner.ReportRefusal(memberId, limit, coolDown);

        public bool ReportOffline(string memberId) => inner.ReportOffline(memberId);

        public bool ReportSuccess(string memberId) => inner.ReportSuccess(memberId);

        public bool ReportProbe(string memberId, MemberProbeResult result) =>
            Interlocked.Exchange(ref _thrown, 1) == 0 ? throw failure : inner.ReportProbe(memberId, result);

        public ClusterStatus GetStatus() => inner.GetStatus();
    }

    private sealed class RefusingHandler(Action onProbe) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            onProbe();
            throw new HttpRequestException(HttpRequestError.ConnectionError, "connection refused");
        }
    }

    private string SelectOnce()
    {
        using MemberLease lease = _cluster.Select();
        return lease.MemberId;
    }

    private static ProbeOutcome Answer(double? cpu = null, double? memory = null, string? version = null, string? overLimit = null) =>
        new(new MemberHealthAnswer { CpuPercent = cpu, MemoryPercent = memory, Version = version, OverLimit = overLimit }, null, null);
}
