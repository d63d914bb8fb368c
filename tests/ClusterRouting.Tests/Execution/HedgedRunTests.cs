using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Execution;

/// <summary>
/// A hedged run's loop: when it starts the next hedge (one delay apart, timed from the latest attempt's start), what
/// replaces an attempt that failed, how it lists the attempts when every one failed, how it records a hedge's outcome
/// with the cluster, and what it leaves of the caller's context (AsyncLocal values flow to the hedges; nothing resumes
/// on the caller's synchronization context).
/// </summary>
public class HedgedRunTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);
    private static readonly AsyncLocal<string?> Request = new();
    private readonly FakeTimeProvider _time = new();

    private ClusterSelector Create(int members, int maxHedges = 1, TimeSpan? delay = null, Action<ClusterOptions>? configure = null, TimeProvider? time = null) =>
        Clusters.Hedged(members, maxHedges, delay ?? Delay, time ?? _time, configure: configure);

    [Fact]
    public async Task OneDelayPassed_StartsOneHedge_EvenWhenMoreAreAllowed()
    {
        using ClusterSelector cluster = Create(4, maxHedges: 2);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);

        Assert.Equal(2, await members.SettleAsync());
        Assert.Equal(["gw-0", "gw-1"], members.Started);
        members.Succeed("gw-1");
        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task HedgeReplacedBeforeTheNextDelay_DoesNotBringTheNextHedgeForward()
    {
        using ClusterSelector cluster = Create(5, maxHedges: 2);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        members.Fail("gw-1", new MemberOfflineException("gw-1 is down"));
        await members.WaitForStartsAsync(3);                              // replaced at once

        Assert.Equal(3, await members.SettleAsync());                      // the second hedge still waits for its delay
        _time.Advance(Delay);
        await members.WaitForStartsAsync(4);
        Assert.Equal(["gw-0", "gw-1", "gw-2", "gw-3"], members.Started);
        members.Succeed("gw-3");
        Assert.Equal("gw-3", await run.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task HedgeEndingWithoutAReplacement_DoesNotPostponeTheNextHedge()
    {
        using ClusterSelector cluster = Create(3, maxHedges: 2);
        cluster.SetMemberEnabled("gw-2", false);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        _time.Advance(Delay / 2);
        members.Fail("gw-1", new MemberOfflineException("gw-1 is down")); // no member can replace it
        Assert.Equal(2, await members.SettleAsync());
        cluster.SetMemberEnabled("gw-2", true);

        _time.Advance(Delay / 2);                                          // one delay after the hedge started
        await members.WaitForStartsAsync(3);
        Assert.Equal(["gw-0", "gw-1", "gw-2"], members.Started);
        members.Succeed("gw-2");
        Assert.Equal("gw-2", await run.WaitAsync(TestTimeout));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReplacementFailingAsItStarts_TheNextHedgeIsOneDelayAfterIt(bool throwsAtOnce)
    {
        // gw-1 (the first hedge, started at 1 s) fails at 1.5 s; its replacement gw-2 fails as it starts, by throwing or
        // by returning its fault (the same outcome); gw-3 refuses work until 2.25 s. The replacement is the latest attempt
        // started: the second hedge waits one delay from it, to 2.5 s, not to 2 s.
        var time = new HedgeTimerTimeProvider();
        using ClusterSelector cluster = Create(4, maxHedges: 2, time: time);
        cluster.ReportRefusal("gw-3", ThrottleLimitKind.Memory, TimeSpan.FromSeconds(2.25));
        var members = new ControlledMembers();
        var failedAtOnce = new System.Collections.Concurrent.ConcurrentQueue<string>();

        Task<string> run = cluster.ExecuteAsync((lease, token) =>
        {
            if (lease.MemberId != "gw-2")
            {
                return members.Run(lease, token);
            }

            failedAtOnce.Enqueue(lease.MemberId);
            var down = new MemberOfflineException("gw-2 is down");
            return throwsAtOnce ? throw down : ValueTask.FromException<string>(down);
        }).AsTask();
        await members.WaitForStartsAsync(1);
        time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        time.Advance(Delay / 2);
        members.Fail("gw-1", new MemberOfflineException("gw-1 is down"));
        await time.ArmedAsync(3);                                          // created at 0 s, re-armed at 1 s and at 1.5 s
        Assert.Equal(["gw-2"], failedAtOnce);

        time.Advance(Delay / 2);                                           // 2 s: one delay after gw-1 started
        Assert.Equal(2, await members.SettleAsync());
        time.Advance(Delay / 2);                                           // 2.5 s: one delay after gw-2 started
        await members.WaitForStartsAsync(3);

        Assert.Equal(["gw-0", "gw-1", "gw-3"], members.Started);
        members.Succeed("gw-3");
        Assert.Equal("gw-3", await run.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task TwoHedgesFailingAtOnce_AreBothListed_WhenEveryAttemptFailed()
    {
        using ClusterSelector cluster = Create(3, maxHedges: 2, delay: TimeSpan.Zero);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync((lease, token) =>
            lease.MemberId == "gw-0" ? members.Run(lease, token) : throw new MemberOfflineException($"{lease.MemberId} is down")).AsTask();
        members.Fail("gw-0", new MemberOfflineException("gw-0 is down"));

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(() => run.WaitAsync(TestTimeout));
        Assert.Equal(["gw-1", "gw-2", "gw-0"], error.Attempts.Select(a => a.MemberId));
        Assert.All(error.Attempts, a => Assert.Equal(AttemptOutcome.Offline, a.Outcome));
    }

    [Fact]
    public async Task ZeroDelay_MoreHedgesAllowedThanMembersCanTake_DoesNotSpinRetryingTheHedge()
    {
        // Delay 0, two hedges allowed, two members: one hedge starts at once, the second has no member. With no delay to
        // wait, a timer re-armed to retry that hedge is due at once, every time: a busy loop until an attempt ends. The
        // clock gives up (throws) after 20 such timers, so that a run that spins fails instead of hanging the test.
        var time = new HedgeTimerTimeProvider { SpinLimit = 20 };
        using ClusterSelector cluster = Create(2, maxHedges: 2, delay: TimeSpan.Zero, time: time);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        Assert.Equal(["gw-0", "gw-1"], members.Started);                   // started before ExecuteAsync returned
        Assert.False(run.IsCompleted, $"the run ended while both attempts ran: {run.Exception?.InnerException?.Message}");
        Assert.Equal(0, time.DueAtOnce);
        members.Succeed("gw-1");

        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(2)]
    public async Task EveryHedgeStarted_TheHedgingTimerIsDisarmed(int members)
    {
        // One hedge allowed: once it has started (with a member to spare, or none), nothing is left for the timer to do,
        // so it is re-armed to never fire rather than to wake the run every delay.
        var time = new HedgeTimerTimeProvider();
        using ClusterSelector cluster = Create(members, time: time);
        var running = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(running.Run).AsTask();
        await running.WaitForStartsAsync(1);
        Assert.Equal([Delay], time.DueTimes);                              // armed for the hedge
        time.Advance(Delay);
        await running.WaitForStartsAsync(2);
        await time.ArmedAsync(2);

        Assert.Equal([Delay, Timeout.InfiniteTimeSpan], time.DueTimes);
        running.Succeed("gw-1");
        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task HedgingTimerThrowsWhenDisposed_TheRunStillReturnsTheResult_AfterCancellingAndAwaitingTheLoser()
    {
        // A custom clock whose timer throws from Dispose: the run ends with the winner's result, the loser cancelled and
        // awaited and every lease back, as with any clock; the clock's failure is counted as a timer callback failure.
        var time = new HedgeTimerTimeProvider { DisposeThrows = true };
        using ClusterSelector cluster = Create(2, time: time);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        members.Succeed("gw-1");

        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
        Assert.Equal(["gw-0"], members.Cancelled);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
        Assert.Equal(1, cluster.CallbackFailures(CallbackKind.Timer));
    }

    [Fact]
    public async Task HedgingTimerCannotBeCreated_TheAttemptInFlightStillDecidesTheRun()
    {
        // A custom clock that cannot create the hedging timer: no hedge can start after the delay, but the attempt in
        // flight is not cancelled for it, and its result is the run's (the clock's failure is counted, as the cluster's
        // own timer's is); without hedging the same run would have returned it too.
        var time = new HedgeTimerTimeProvider { CreateThrows = true };
        using ClusterSelector cluster = Create(2, time: time);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        Assert.Empty(members.Cancelled);                                   // not cancelled because the timer failed
        members.Succeed("gw-0");

        Assert.Equal("gw-0", await run.WaitAsync(TestTimeout));
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
        Assert.Equal(1, cluster.CallbackFailures(CallbackKind.Timer));
    }

    [Fact]
    public async Task OnlyAttemptOffline_IsReplacedByAFailover_WhichFallsBackOnAPenalizedMember()
    {
        using ClusterSelector cluster = Create(2);
        cluster.ReportOffline("gw-1"); // penalized: a hedge may not go there, a failover may as a last resort
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        members.Fail("gw-0", new MemberOfflineException("gw-0 is down"));
        await members.WaitForStartsAsync(2);

        Assert.Equal(["gw-0", "gw-1"], members.Started);
        members.Succeed("gw-1");
        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task HedgeRefused_RecordsTheRefusal_AndIsListedAsRefused()
    {
        using ClusterSelector cluster = Create(2, delay: TimeSpan.Zero);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync((lease, token) =>
            lease.MemberId == "gw-0" ? members.Run(lease, token) : throw new MemberRefusedException(ThrottleLimitKind.Cpu)).AsTask();
        members.Fail("gw-0", new MemberOfflineException("gw-0 is down"));

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(() => run.WaitAsync(TestTimeout));
        Assert.Equal([("gw-1", AttemptOutcome.Refused), ("gw-0", AttemptOutcome.Offline)], error.Attempts.Select(a => (a.MemberId, a.Outcome)));
        MemberStatus refused = cluster.GetStatus().Members[1];
        Assert.Equal(MemberHealth.Online, refused.Health);
        Assert.Equal(MemberRejectionReason.CpuLimit, refused.Throttle);
    }

    [Fact]
    public async Task HedgedRunSucceedingOnAProbe_RestoresTheMember()
    {
        using ClusterSelector cluster = Create(2);
        cluster.ReportOffline("gw-0");
        _time.Advance(TimeSpan.FromSeconds(5));
        var members = new ControlledMembers();
        bool probed = false;

        Task<string> run = cluster.ExecuteAsync((lease, token) =>
        {
            probed |= lease.IsProbe;
            return members.Run(lease, token);
        }).AsTask();
        await members.WaitForStartsAsync(1);
        members.Succeed("gw-0");

        Assert.Equal("gw-0", await run.WaitAsync(TestTimeout));
        Assert.True(probed);
        Assert.Equal(MemberHealth.Online, cluster.GetStatus().Members[0].Health);
    }

    [Fact]
    public async Task OnlyMemberRemovedDuringItsAttempt_TheHedgedRunStillReturnsItsResult()
    {
        using ClusterSelector cluster = Create(1);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync((lease, token) =>
        {
            cluster.RemoveMember(lease.MemberId);
            return members.Run(lease, token);
        }).AsTask();
        await members.WaitForStartsAsync(1);
        members.Succeed("gw-0");

        Assert.Equal("gw-0", await run.WaitAsync(TestTimeout));
        Assert.Equal(0, cluster.MemberCount);
    }

    [Fact]
    public async Task HedgedRunTakingOverAfterAsManyFailedAttemptsAsTheClusterHadMembers_StillRuns()
    {
        // Four members fail at once (the last one adds a fifth), and the fifth's attempt goes async: the hedged run
        // takes over with as many members tried as the run was sized for.
        using ClusterSelector cluster = Create(4);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync((lease, token) =>
        {
            if (lease.MemberId == "gw-4")
            {
                return members.Run(lease, token);
            }

            if (lease.MemberId == "gw-3")
            {
                cluster.AddMember("gw-4");
            }

            throw new MemberOfflineException($"{lease.MemberId} is down");
        }).AsTask();
        await members.WaitForStartsAsync(1);
        members.Succeed("gw-4");

        Assert.Equal("gw-4", await run.WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task HedgeFailsAtOnceWithNoReplacement_ExecuteAsyncReturnsWhileTheFirstAttemptRuns()
    {
        using ClusterSelector cluster = Create(2, delay: TimeSpan.Zero);
        var members = new ControlledMembers();

        Task<Task<string>> call = Task.Factory.StartNew(
            () => cluster.ExecuteAsync((lease, token) =>
                lease.MemberId == "gw-0" ? members.Run(lease, token) : throw new MemberOfflineException("gw-1 is down")).AsTask(),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        await members.WaitForStartsAsync(1);
        await Task.WhenAny(call, Task.Delay(TimeSpan.FromSeconds(5)));
        bool returned = call.IsCompleted;
        members.Succeed("gw-0");

        Assert.True(returned, "ExecuteAsync should hand the run back to its caller while the first attempt runs");
        Assert.Equal("gw-0", await (await call).WaitAsync(TestTimeout));
    }

    [Fact]
    public async Task HedgeAfterTheDelay_NothingResumesOnTheCallersSynchronizationContext()
    {
        using ClusterSelector cluster = Create(3);
        var members = new ControlledMembers();
        var context = new RecordingContext();

        Task<string> run = StartUnder(context, () => cluster.ExecuteAsync(members.Run));
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        members.Succeed("gw-1");

        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
        Assert.Equal(0, context.Posts);
    }

    [Fact]
    public async Task HedgeWinsAtOnceAndTheLoserEndsLater_NothingResumesOnTheCallersSynchronizationContext()
    {
        using ClusterSelector cluster = Create(2, delay: TimeSpan.Zero);
        var members = new ControlledMembers { Instant = { "gw-1" }, IgnoreCancellation = { "gw-0" } };
        var context = new RecordingContext();

        Task<string> run = StartUnder(context, () => cluster.ExecuteAsync(members.Run));
        Assert.False(run.IsCompleted, "the run waits for its cancelled attempt to end");
        members.Succeed("gw-0");

        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
        Assert.Equal(0, context.Posts);
    }

    [Fact]
    public async Task HedgingDelaysTimer_CarriesNoCallersContext()
    {
        var time = new ContextCapturingTimeProvider();
        using ClusterSelector cluster = Create(2, time: time);
        var members = new ControlledMembers();
        Request.Value = "request-1";

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        time.Inner.Advance(Delay);
        await members.WaitForStartsAsync(2);
        members.Succeed("gw-1");

        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
        Assert.NotEmpty(time.Captured);
        Assert.All(time.Captured, request => Assert.Null(request));
    }

    [Theory]
    [InlineData(false, "request-1")]
    [InlineData(true, null)]
    public async Task Hedge_SeesTheCallersAsyncLocalValues_UnlessTheCallerSuppressedTheFlow(bool suppressFlow, string? seenByTheHedge)
    {
        // The first attempt runs on the caller's thread, in its context, either way; what the run starts later (the hedge
        // after the delay) carries the caller's context only when the caller lets it flow.
        using ClusterSelector cluster = Create(2);
        var members = new ControlledMembers();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<string, string?>(StringComparer.Ordinal);
        Request.Value = "request-1";

        Task<string> run;
        AsyncFlowControl? suppressed = suppressFlow ? ExecutionContext.SuppressFlow() : null;
        try
        {
            run = cluster.ExecuteAsync((lease, token) =>
            {
                seen[lease.MemberId] = Request.Value;
                return members.Run(lease, token);
            }).AsTask();
        }
        finally
        {
            suppressed?.Undo();
        }

        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        members.Succeed("gw-1");

        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
        Assert.Equal("request-1", seen["gw-0"]);
        Assert.Equal(seenByTheHedge, seen["gw-1"]);
    }

    [Fact]
    public async Task Hedge_NoListenerOnTheDuration_ReadsNoClock()
    {
        // An attempt is timed only for a listener of the duration histogram: without one, a hedged run reads no clock.
        var time = new CountingTimeProvider();
        using ClusterSelector cluster = Create(2, time: time);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        long before = time.Reads;
        time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        long afterTheHedgeStarted = time.Reads;
        members.Succeed("gw-1");

        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));
        Assert.Equal(before, afterTheHedgeStarted);
        Assert.Equal(before, time.Reads);
    }

    [Fact]
    public async Task HedgedRunThatReturned_LeavesNothingOnTheCallersToken()
    {
        // A long-lived caller token (the application's stopping token, say) must not keep the run's attempts linked.
        using ClusterSelector cluster = Create(2);
        var members = new ControlledMembers();
        using var stopping = new CancellationTokenSource();

        Task<string> run = cluster.ExecuteAsync(members.Run, stopping.Token).AsTask();
        await members.WaitForStartsAsync(1);
        _time.Advance(Delay);
        await members.WaitForStartsAsync(2);
        members.Succeed("gw-1");
        Assert.Equal("gw-1", await run.WaitAsync(TestTimeout));

        await stopping.CancelAsync();

        Assert.Equal(["gw-0"], members.Cancelled);                          // only the loser, by the run
    }

    private static Task<string> StartUnder(SynchronizationContext context, Func<ValueTask<string>> start)
    {
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            return start().AsTask();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }
    }

    /// <summary>A caller's context (a UI thread's, say) that counts what is posted to it, and runs it on the pool.</summary>
    private sealed class RecordingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.QueueUserWorkItem(_ => d(state));
        }

        public override void Send(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            d(state);
        }
    }

    /// <summary>
    /// A fake clock that records, in order, the due times a hedged run's timer is created and changed with (the cluster's
    /// own timer is not recorded), so that a test moves the clock on only once the run has armed it. It can also fail as
    /// a custom clock might: refuse to create the hedging timer, throw when it is disposed, or throw once the timer has
    /// been armed due at once <see cref="SpinLimit"/> times (a run that keeps re-arming one is spinning).
    /// </summary>
    private sealed class HedgeTimerTimeProvider : FakeTimeProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _dueTimes = new();
        private int _dueAtOnce;

        public bool CreateThrows { get; init; }

        public bool DisposeThrows { get; init; }

        public int SpinLimit { get; init; } = int.MaxValue;

        public TimeSpan[] DueTimes => _dueTimes.ToArray();

        public int Armed => _dueTimes.Count;

        public int DueAtOnce => Volatile.Read(ref _dueAtOnce);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Type? type = state?.GetType();
            if (type is null || !type.IsGenericType || type.GetGenericTypeDefinition() != typeof(HedgedRun<,>))
            {
                return base.CreateTimer(callback, state, dueTime, period);
            }

            if (CreateThrows)
            {
                throw new InvalidOperationException("the clock cannot create a timer");
            }

            Arm(dueTime);
            return new Hedging(base.CreateTimer(callback, state, dueTime, period), this);
        }

        /// <summary>Waits (up to 10 s) until the hedging timer has been armed <paramref name="count"/> times.</summary>
        public async Task ArmedAsync(int count)
        {
            using var patience = new CancellationTokenSource(TestTimeout);
            while (Armed < count)
            {
                Assert.False(patience.IsCancellationRequested, $"the hedging timer was armed {Armed} times, not {count}");
                await Task.Delay(1);
            }
        }

        private void Arm(TimeSpan dueTime)
        {
            _dueTimes.Enqueue(dueTime);
            if (dueTime == TimeSpan.Zero && Interlocked.Increment(ref _dueAtOnce) >= SpinLimit)
            {
                throw new InvalidOperationException($"the hedging timer was armed due at once {SpinLimit} times: the run spins");
            }
        }

        private sealed class Hedging(ITimer inner, HedgeTimerTimeProvider owner) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                owner.Arm(dueTime);
                return inner.Change(dueTime, period);
            }

            public void Dispose()
            {
                inner.Dispose();
                if (owner.DisposeThrows)
                {
                    throw new InvalidOperationException("the clock's timer failed as it was disposed");
                }
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return default;
            }
        }
    }

    /// <summary>A fake clock whose timers capture the execution context, as the system's timers do, and record the caller's request they would carry.</summary>
    private sealed class ContextCapturingTimeProvider : TimeProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string?> _captured = new();

        public FakeTimeProvider Inner { get; } = new();

        public string?[] Captured => _captured.ToArray();

        public override long TimestampFrequency => Inner.TimestampFrequency;

        public override long GetTimestamp() => Inner.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => Inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            ExecutionContext? context = ExecutionContext.Capture();
            string? request = null;
            if (context is not null)
            {
                ExecutionContext.Run(context, _ => request = Request.Value, null);
            }

            _captured.Enqueue(request);
            return Inner.CreateTimer(callback, state, dueTime, period);
        }
    }
}
