using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ClusterRouting.Tests.Hosting;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Execution;

public class HedgingTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    private ClusterSelector Create(int members, int maxHedges = 1, TimeSpan? delay = null, SelectionMode mode = SelectionMode.Failover, Action<ClusterOptions>? configure = null) =>
        Clusters.Hedged(members, maxHedges, delay ?? Delay, _time, mode, configure);

    [Fact]
    public void Options_Defaults_HedgingIsOffWithPollysDelay()
    {
        var options = new ClusterOptions();

        Assert.Equal(0, options.MaxHedgedAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), options.HedgingDelay);
    }

    [Fact]
    public async Task NoResultAfterTheDelay_StartsTheOperationOnTheNextMember_AndTheFirstSuccessWins()
    {
        using ClusterSelector cluster = Create(3);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await members.SettleAsync());

        _time.Advance(TimeSpan.FromMilliseconds(1));
        await members.WaitForStartsAsync(2);
        Assert.Equal(["gw-0", "gw-1"], members.Started);
        Assert.Equal([1, 1, 0], cluster.GetStatus().Members.Select(m => m.InFlight));

        members.Succeed("gw-1");

        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
        Assert.Equal(["gw-0"], members.Cancelled);                          // the attempt that lost was cancelled
        Assert.All(cluster.GetStatus().Members, m =>
        {
            Assert.Equal(0, m.InFlight);                                   // every lease released when the run returned
            Assert.Equal(MemberHealth.Online, m.Health);                   // a cancelled attempt says nothing of its member
        });
    }

    [Fact]
    public async Task FirstAttemptSucceedsAfterTheHedgeStarted_WinsAndTheHedgeIsCancelled()
    {
        using ClusterSelector cluster = Create(3);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        members.Succeed("gw-0");

        Assert.Equal("gw-0", await run.WaitAsync(TestTimeout));
        Assert.Equal(["gw-1"], members.Cancelled);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public async Task Hedges_AreBoundedByMaxHedgedAttempts_EachOnAMemberNotTried_OneDelayApart()
    {
        using ClusterSelector cluster = Create(5, maxHedges: 2);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(3);
        _time.Advance(Delay);
        _time.Advance(Delay);

        Assert.Equal(3, await members.SettleAsync());
        Assert.Equal(["gw-0", "gw-1", "gw-2"], members.Started);
        members.Succeed("gw-2");
        Assert.Equal("gw-2", await run.WaitAsync(TestTimeout));
        Assert.Equal(["gw-0", "gw-1"], members.Cancelled.Order());
    }

    [Fact]
    public async Task Hedge_GoesOnlyToAMemberThatCanTakeIt_InTheModesOrder()
    {
        // gw-1 disabled, gw-2 throttled (CPU), gw-3 penalized, gw-4 at its limit: the hedge goes to gw-5.
        using ClusterSelector cluster = Create(6, configure: o =>
        {
            o.CPUUtilizationPercentageThreshold = 80;
            o.ThrottlePolicies.Add(new PerMemberLimitPolicy(new Dictionary<string, int> { ["gw-4"] = 1 }));
        });
        cluster.SetMemberEnabled("gw-1", false);
        cluster.ReportUtilization("gw-2", 95, 10);
        cluster.ReportOffline("gw-3");
        using MemberLease full = cluster.TrySelect(["gw-0", "gw-5"], out MemberLease lease, out _) ? lease : throw new InvalidOperationException();
        Assert.Equal("gw-4", full.MemberId);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);

        Assert.Equal(["gw-0", "gw-5"], members.Started);
        members.Succeed("gw-5");
        Assert.Equal("gw-5", await run.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task NoMemberCanTakeAHedge_NoneStarts_UntilOneCanAtALaterDelay()
    {
        using ClusterSelector cluster = Create(3);
        cluster.SetMemberEnabled("gw-1", false);
        cluster.ReportOffline("gw-2"); // penalized: a failover could fall back on it, a hedge may not
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        Assert.Equal(1, await members.SettleAsync());

        cluster.SetMemberEnabled("gw-1", true);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        Assert.Equal(["gw-0", "gw-1"], members.Started);
        members.Succeed("gw-1");
        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task AttemptOfflineWhileAnotherRuns_PenalizesItsMemberAndIsReplacedAtOnce()
    {
        using ClusterSelector cluster = Create(3);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        members.Fail("gw-1", new MemberOfflineException("gw-1 is down"));

        await members.WaitForStartsAsync(3);                              // no delay: the failed hedge is replaced
        Assert.Equal(["gw-0", "gw-1", "gw-2"], members.Started);
        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[1].Health);
        members.Succeed("gw-2");
        Assert.Equal("gw-2", await run.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task LosingAttemptThatEndsOffline_StillPenalizesItsMember()
    {
        // gw-0 ignores its cancellation and later finds its member offline: the run waits for it, and records it.
        using ClusterSelector cluster = Create(2);
        var members = new ControlledMembers { IgnoreCancellation = { "gw-0" } };

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        members.Succeed("gw-1");
        await Task.Delay(50);
        Assert.False(run.IsCompleted, "the run returns only once every attempt has ended");

        members.Fail("gw-0", new MemberOfflineException("gw-0 is down"));

        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[0].Health);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public async Task OperationsOwnException_DecidesTheRun_AndTheOtherAttemptIsCancelled()
    {
        using ClusterSelector cluster = Create(2);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        var bug = new InvalidOperationException("the query is wrong");
        members.Fail("gw-1", bug);

        Assert.Same(bug, await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TestTimeout)));
        Assert.Equal(["gw-0"], members.Cancelled);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public async Task EveryAttemptOffline_ThrowsAllMembersFailedListingEach()
    {
        using ClusterSelector cluster = Create(2);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        members.Fail("gw-1", new MemberOfflineException("gw-1 is down"));
        members.Fail("gw-0", new MemberOfflineException("gw-0 is down"));

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(() => run.WaitAsync(TestTimeout));
        Assert.Equal(["gw-0", "gw-1"], error.Attempts.Select(a => a.MemberId).Order());
        Assert.All(error.Attempts, a => Assert.Equal(AttemptOutcome.Offline, a.Outcome));
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(MemberHealth.Penalized, m.Health));
    }

    [Fact]
    public async Task CallerCancels_EveryAttemptIsCancelled_AndTheRunThrowsOperationCanceled()
    {
        using ClusterSelector cluster = Create(3);
        var members = new ControlledMembers();
        using var caller = new CancellationTokenSource();

        Task<string> run = cluster.ExecuteAsync(members.Run, caller.Token).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        await caller.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(TestTimeout));
        Assert.Equal(["gw-0", "gw-1"], members.Cancelled.Order());
        Assert.All(cluster.GetStatus().Members, m =>
        {
            Assert.Equal(0, m.InFlight);
            Assert.Equal(MemberHealth.Online, m.Health);
        });
        _time.Advance(Delay);
        Assert.Equal(2, await members.SettleAsync());                      // no hedge after the run ended
    }

    [Fact]
    public async Task ZeroDelay_StartsEveryHedgeAtOnce()
    {
        using ClusterSelector cluster = Create(4, maxHedges: 2, delay: TimeSpan.Zero);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();

        Assert.Equal(["gw-0", "gw-1", "gw-2"], members.Started);           // started before ExecuteAsync returned
        members.Succeed("gw-2");
        Assert.Equal("gw-2", await run.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task HedgeCompletesSynchronously_AndTheLoserEndsInlineWhenCancelled_RunCompletesSynchronously()
    {
        using ClusterSelector cluster = Create(2, delay: TimeSpan.Zero);
        var members = new ControlledMembers { Instant = { "gw-1" }, EndInline = true };

        // On the thread pool: the test framework's synchronization context would keep continuations from running inline.
        (bool completed, string result) = await Task.Run(async () =>
        {
            ValueTask<string> run = cluster.ExecuteAsync(members.Run);
            return (run.IsCompletedSuccessfully, await run);
        });

        Assert.True(completed);
        Assert.Equal("gw-1", result);
        Assert.Equal(["gw-0"], members.Cancelled);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public async Task FirstAttemptCompletesSynchronously_NothingIsHedged()
    {
        using ClusterSelector cluster = Create(3, delay: TimeSpan.Zero);
        var members = new ControlledMembers { Instant = { "gw-0", "gw-1", "gw-2" } };

        Assert.Equal("gw-0", await cluster.ExecuteAsync(members.Run));
        Assert.Equal(["gw-0"], members.Started);
    }

    [Fact]
    public async Task RunInsideTheOperation_OnTheSameThread_GetsATokenOfItsOwn_AndCancellingItLeavesTheOuterAttemptAlone()
    {
        using ClusterSelector outer = Create(3, delay: TimeSpan.Zero);
        using ClusterSelector inner = Create(3, delay: TimeSpan.Zero);
        CancellationToken outerToken = default;
        CancellationToken innerToken = default;

        string result = await outer.ExecuteAsync((lease, ct) =>
        {
            outerToken = ct;
            ValueTask<string> nested = inner.ExecuteAsync((innerLease, innerCt) =>
            {
                innerToken = innerCt;
                return ValueTask.FromResult(innerLease.MemberId);
            }, ct);
            Assert.True(nested.IsCompletedSuccessfully);                   // the inner run ended, its source returned
            Assert.False(ct.IsCancellationRequested);
            return ValueTask.FromResult(lease.MemberId + "/" + nested.Result);
        });

        Assert.Equal("gw-0/gw-0", result);
        Assert.True(outerToken.CanBeCanceled);
        Assert.True(innerToken.CanBeCanceled);
        Assert.NotEqual(outerToken, innerToken);                           // two sources, though one thread ran both
    }

    [Fact]
    public async Task FirstAttemptFailsSynchronously_TheNextGoesAsync_IsHedgedWithoutTheFailedMember()
    {
        using ClusterSelector cluster = Create(3);
        var members = new ControlledMembers();
        Func<MemberLease, CancellationToken, ValueTask<string>> operation = (lease, ct) =>
            lease.MemberId == "gw-0" ? throw new MemberOfflineException("down") : members.Run(lease, ct);

        Task<string> run = cluster.ExecuteAsync(operation).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);

        Assert.Equal(["gw-1", "gw-2"], members.Started);
        members.Fail("gw-2", new MemberOfflineException("down too"));
        members.Fail("gw-1", new MemberOfflineException("down as well"));
        var error = await Assert.ThrowsAsync<AllMembersFailedException>(() => run.WaitAsync(TestTimeout));
        Assert.Equal(["gw-0", "gw-1", "gw-2"], error.Attempts.Select(a => a.MemberId).Order());
    }

    [Fact]
    public async Task PrimaryOnlyWork_IsNeverHedged()
    {
        using ClusterSelector cluster = Create(3, delay: TimeSpan.Zero);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecutePrimaryAsync(members.Run).AsTask();
        _time.Advance(Delay);
        Assert.Equal(1, await members.SettleAsync());
        members.Succeed("gw-0");
        Assert.Equal("gw-0", await run.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task Metrics_TheLosingAttemptIsRecordedAsCancelled()
    {
        using var meterFactory = new TestMeterFactory();
        ClusterOptions options = Clusters.Options(2);
        options.MaxHedgedAttempts = 1;
        options.HedgingDelay = TimeSpan.Zero;
        using var cluster = new ClusterSelector("hedge", options, _time, meterFactory: meterFactory);
        var outcomes = new ConcurrentQueue<(string Member, string Outcome)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meterFactory.Meter) && instrument.Name == ClusterRoutingTelemetry.OperationDuration)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
        {
            string member = string.Empty, outcome = string.Empty;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                member = tag.Key == ClusterRoutingTelemetry.MemberTag ? (string)tag.Value! : member;
                outcome = tag.Key == ClusterRoutingTelemetry.AttemptOutcomeTag ? (string)tag.Value! : outcome;
            }

            outcomes.Enqueue((member, outcome));
        });
        listener.Start();
        var members = new ControlledMembers { Instant = { "gw-1" } };

        Assert.Equal("gw-1", await cluster.ExecuteAsync(members.Run));

        Assert.Equal([("gw-0", "cancelled"), ("gw-1", "success")], outcomes.OrderBy(o => o.Member));
    }

    [Fact]
    public async Task Tracing_TheHedgeIsTaggedAndTheLoserEndsCancelled()
    {
        string name = "hedge-traced-" + Guid.NewGuid().ToString("N");
        var spans = new ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == ClusterRoutingTelemetry.ActivitySourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using ClusterSelector cluster = Clusters.Hedged(2, 1, TimeSpan.Zero, _time, name: name);
        var members = new ControlledMembers { Instant = { "gw-1" } };

        Assert.Equal("gw-1", await cluster.ExecuteAsync(members.Run));

        var attempts = spans.Where(s => s.OperationName == ClusterRoutingTelemetry.AttemptActivityName && (string?)s.GetTagItem(ClusterRoutingTelemetry.ClusterTag) == name)
            .OrderBy(s => (int)s.GetTagItem(ClusterRoutingTelemetry.AttemptNumberTag)!)
            .Select(s => ((string)s.GetTagItem(ClusterRoutingTelemetry.MemberTag)!, s.GetTagItem(ClusterRoutingTelemetry.HedgeTag), (bool)s.GetTagItem(ClusterRoutingTelemetry.FailoverTag)!, (string)s.GetTagItem(ClusterRoutingTelemetry.AttemptOutcomeTag)!));
        Assert.Equal([("gw-0", (object?)null, false, "cancelled"), ("gw-1", true, false, "success")], attempts);
    }

    [Fact]
    public async Task SpanListenerThrowsAsTheHedgeEnds_TheRunStillEnds_WithTheListenersError_AndEveryLeaseBack()
    {
        // A tracer whose ActivityStopped throws as the winning hedge's span ends. Without hedging, that exception ends the
        // run in place of the result (ending the attempt is the last thing the run does); a hedged run must end the same
        // way, not wait for ever for an attempt that never said it ended.
        string name = "hedge-broken-tracer-" + Guid.NewGuid().ToString("N");
        var broken = new InvalidOperationException("the tracer's exporter is broken");
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == ClusterRoutingTelemetry.ActivitySourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                if (span.OperationName == ClusterRoutingTelemetry.AttemptActivityName
                    && (string?)span.GetTagItem(ClusterRoutingTelemetry.ClusterTag) == name
                    && (string?)span.GetTagItem(ClusterRoutingTelemetry.MemberTag) == "gw-1")
                {
                    throw broken;
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using ClusterSelector cluster = Clusters.Hedged(2, 1, TimeSpan.Zero, _time, name: name);
        var members = new ControlledMembers { Instant = { "gw-1" } };

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();

        Assert.Same(broken, await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TestTimeout)));
        Assert.Equal(["gw-0"], members.Cancelled);
        Assert.All(cluster.GetStatus().Members, m =>
        {
            Assert.Equal(0, m.InFlight);
            Assert.Equal(MemberHealth.Online, m.Health);
        });
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10)]
    public void Options_MaxHedgedAttemptsOutOfRange_IsRejectedNamingTheField(int max)
    {
        ClusterOptions options = Clusters.Options(2);
        options.MaxHedgedAttempts = max;

        ArgumentException error = Assert.Throws<ArgumentException>(() => new ClusterSelector("h", options));

        Assert.Contains("Cluster 'h': MaxHedgedAttempts: The field h.MaxHedgedAttempts must be between 0 and 9.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_NegativeHedgingDelay_IsRejectedNamingTheField()
    {
        ClusterOptions options = Clusters.Options(2);
        options.HedgingDelay = TimeSpan.FromMilliseconds(-1);

        ArgumentException error = Assert.Throws<ArgumentException>(() => new ClusterSelector("h", options));

        Assert.Contains("Cluster 'h': HedgingDelay must be from 0 to 49.17:02:47.2940000 (was -00:00:00.0010000).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_HedgingKeys_AreBoundAndAReloadTurnsHedgingOff()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster(
            "hedged",
            ("MaxHedgedAttempts", "1"),
            ("HedgingDelay", "00:00:00"),
            ("Members:0:Id", "gw-0"),
            ("Members:1:Id", "gw-1")));
        ClusterSelector cluster = services.Cluster("hedged");
        var members = new ControlledMembers { Instant = { "gw-1" } };
        Assert.Equal("gw-1", await cluster.ExecuteAsync(members.Run));

        services.Set("hedged", "MaxHedgedAttempts", "0");
        services.Configuration.Reload();

        var unhedged = new ControlledMembers { Instant = { "gw-1" } };
        Task<string> run = cluster.ExecuteAsync(unhedged.Run).AsTask();
        Assert.Equal(1, await unhedged.SettleAsync());
        unhedged.Succeed("gw-0");
        Assert.Equal("gw-0", await run.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task MemberRemovedWhileItsAttemptRuns_TheHedgeGoesElsewhere_AndTheRemovedMembersLateOfflineEndChangesNoOne()
    {
        using ClusterSelector cluster = Create(3);
        var members = new ControlledMembers { IgnoreCancellation = { "gw-0" } };

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        Assert.True(cluster.RemoveMember("gw-0"));
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        Assert.Equal(["gw-0", "gw-1"], members.Started);

        members.Succeed("gw-1");
        members.Fail("gw-0", new MemberOfflineException("gw-0 is gone"));

        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
        Assert.Equal(["gw-1", "gw-2"], cluster.GetStatus().Members.Select(m => m.Id));
        Assert.All(cluster.GetStatus().Members, m =>
        {
            Assert.Equal(0, m.InFlight);
            Assert.Equal(MemberHealth.Online, m.Health);
        });

        // Added back, it starts with nothing in flight: the removed member's lease was given back when its attempt ended.
        cluster.AddMember("gw-0");
        Assert.Equal(0, cluster.GetStatus().Members.Single(m => m.Id == "gw-0").InFlight);
    }

    [Fact]
    public async Task ClusterDisposedWhileAHedgedRunWaits_TheRunStillEnds_WithEveryLeaseBack()
    {
        ClusterSelector cluster = Create(3);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        cluster.Dispose();

        members.Succeed("gw-1");

        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
        Assert.Equal(["gw-0"], members.Cancelled);
        Assert.Throws<ObjectDisposedException>(() => cluster.GetStatus()); // as documented for a disposed cluster
        Assert.All(cluster.State.Snapshot.Members, m => Assert.Equal(0, m.State.Slots.InFlight));
    }

    [Fact]
    public async Task HedgeThrowsSynchronously_ItsOwnErrorDecidesTheRun_AndTheFirstAttemptIsCancelled()
    {
        using ClusterSelector cluster = Create(3);
        var members = new ControlledMembers();
        var bug = new InvalidOperationException("the operation's own bug");

        Task<string> run = cluster.ExecuteAsync((lease, token) =>
            lease.MemberId == "gw-0" ? members.Run(lease, token) : throw bug).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);

        Assert.Same(bug, await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TestTimeout)));
        Assert.Equal(["gw-0"], members.Cancelled);
        Assert.All(cluster.GetStatus().Members, m =>
        {
            Assert.Equal(0, m.InFlight);
            Assert.Equal(MemberHealth.Online, m.Health);
        });
    }

    [Fact]
    public async Task HedgeReturnsAValueTaskWhoseSourceThrows_ItsErrorDecidesTheRun_AndTheFirstAttemptIsCancelled()
    {
        // The hedge returns a ValueTask over a source that throws when asked whether it completed (a pooled source
        // already reused, say): that is the hedge's error, as it is an attempt's error without hedging, and the run
        // must end with it rather than wait for ever for an attempt it never listened to.
        using ClusterSelector cluster = Create(2, delay: TimeSpan.Zero);
        var members = new ControlledMembers();
        var source = new BrokenSource();

        Task<string> run = cluster.ExecuteAsync((lease, token) =>
            lease.MemberId == "gw-0" ? members.Run(lease, token) : new ValueTask<string>(source, 0)).AsTask();

        Assert.Same(source.Error, await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TestTimeout)));
        Assert.Equal(["gw-0"], members.Cancelled);
        Assert.All(cluster.GetStatus().Members, m =>
        {
            Assert.Equal(0, m.InFlight);
            Assert.Equal(MemberHealth.Online, m.Health);
        });
    }

    /// <summary>A value task source that throws whatever it is asked (as one does for a token it no longer holds).</summary>
    private sealed class BrokenSource : System.Threading.Tasks.Sources.IValueTaskSource<string>
    {
        public InvalidOperationException Error { get; } = new("the source was already reused");

        public System.Threading.Tasks.Sources.ValueTaskSourceStatus GetStatus(short token) => throw Error;

        public void OnCompleted(Action<object?> continuation, object? state, short token, System.Threading.Tasks.Sources.ValueTaskSourceOnCompletedFlags flags) => throw Error;

        public string GetResult(short token) => throw Error;
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        public Meter Meter { get; private set; } = null!;

        public Meter Create(MeterOptions options) => Meter = new Meter(options);

        public void Dispose() => Meter?.Dispose();
    }
}
