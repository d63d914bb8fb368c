using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using FakeTimeProvider = Microsoft.Extensions.Time.Testing.FakeTimeProvider;

namespace ClusterRouting.Tests.Membership;

/// <summary>
/// <see cref="ClusterChange"/> and <see cref="ClusterState"/>, reached through a selector's internal state: a change
/// takes the lock, never nests, commits (publishing only what selections see and arming the timer) and releases the
/// lock even when the operation inside throws, then writes its events with no lock held.
/// </summary>
public class ClusterChangeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _logger = new();

    [Fact]
    public async Task Begin_OperationThrowsInside_PublishesNothing_AndReleasesTheLock()
    {
        using ClusterSelector cluster = Create(2);
        ClusterSnapshot before = cluster.Snapshot;
        _logger.Collector.Clear();

        Assert.Throws<ArgumentException>(() =>
        {
            using ClusterChange change = cluster.State.Begin();
            MembershipEditor.Add(change, new ClusterMemberOptions("GW-0"), "id"); // a duplicate, ignoring case
        });

        Assert.Same(before, cluster.Snapshot);
        Assert.False(cluster.State.Gate.IsHeldByCurrentThread);
        Assert.Empty(_logger.Collector.GetSnapshot());

        // Another thread can change the cluster: the lock was released.
        await Task.Run(() => cluster.AddMember("gw-9")).WaitAsync(Patience);
        Assert.Equal(3, cluster.MemberCount);
    }

    [Fact]
    public async Task Begin_CallersCodeThrowsInside_ReleasesTheLock()
    {
        using ClusterSelector cluster = Create(1);

        void FailInsideAChange()
        {
            using ClusterChange change = cluster.State.Begin();
            throw new InvalidOperationException("boom");
        }

        Assert.Throws<InvalidOperationException>(FailInsideAChange);

        bool added = await Task.Run(() =>
        {
            cluster.AddMember("gw-1");
            return cluster.State.Gate.IsHeldByCurrentThread;
        }).WaitAsync(Patience);
        Assert.False(added);
        Assert.Equal(2, cluster.MemberCount);
    }

    [Fact]
    public void Begin_NestedOnTheSameThread_ThrowsInvalidOperation_AndTheOuterChangeGoesOn()
    {
        using ClusterSelector cluster = Create(2);

        using (ClusterChange outer = cluster.State.Begin())
        {
            var nested = Assert.Throws<InvalidOperationException>(() => cluster.State.Begin());
            Assert.Contains("'change'", nested.Message, StringComparison.Ordinal);
            Assert.True(cluster.State.Gate.IsHeldByCurrentThread);

            MembershipEditor.SetMode(outer, SelectionMode.RoundRobin);
        }

        Assert.Equal(SelectionMode.RoundRobin, cluster.Mode);
        Assert.False(cluster.State.Gate.IsHeldByCurrentThread);
    }

    [Fact]
    public void Begin_FromAThrottlePolicyDuringAChange_IsRefused_AndCountedAsThePolicysFailure()
    {
        var policy = new ReentrantPolicy();
        ClusterOptions options = Clusters.Options(2);
        options.ThrottlePolicies.Add(policy);
        using var cluster = new ClusterSelector("change", options, _time, logger: _logger);
        policy.Cluster = cluster;

        cluster.ReportUtilization("gw-0", 10, 10);

        Assert.Equal(1, cluster.ThrottlePolicyFailures);
        FakeLogRecord failed = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "ThrottlePolicyFailed");
        Assert.IsType<InvalidOperationException>(failed.Exception);
        Assert.False(cluster.State.Gate.IsHeldByCurrentThread);
    }

    [Fact]
    public void Begin_AfterDispose_ThrowsObjectDisposed()
    {
        ClusterSelector cluster = Create(1);
        cluster.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cluster.State.Begin());
        Assert.False(cluster.State.Gate.IsHeldByCurrentThread);
    }

    [Fact]
    public void CatchUp_AfterDispose_ReturnsFalseWithoutThrowing()
    {
        ClusterSelector cluster = Create(1);
        cluster.Dispose();

        Assert.False(cluster.State.CatchUp());
        Assert.False(cluster.State.Gate.IsHeldByCurrentThread);
    }

    [Fact]
    public void CatchUp_DeadlinePassedAndTheTimerDidNotRun_PublishesAndReturnsTrue()
    {
        var stalled = new StalledTimers(_time);
        using var cluster = new ClusterSelector("change", Clusters.Options(2), stalled);
        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        ClusterSnapshot before = cluster.Snapshot;
        Assert.Single(before.Eligible);

        Assert.True(cluster.State.CatchUp());

        Assert.NotSame(before, cluster.Snapshot);
        Assert.Equal(2, cluster.Snapshot.Eligible.Length);
        Assert.False(cluster.State.CatchUp()); // nothing more to catch up
    }

    [Fact]
    public void CatchUp_NothingDue_ReturnsFalse_AndKeepsTheSnapshot()
    {
        using ClusterSelector cluster = Create(2);
        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(1));
        ClusterSnapshot before = cluster.Snapshot;

        Assert.False(cluster.State.CatchUp());

        Assert.Same(before, cluster.Snapshot);
    }

    [Fact]
    public void CatchUp_OnAThreadInsideAChange_ReturnsFalseWithoutNesting()
    {
        using ClusterSelector cluster = Create(1);

        using ClusterChange change = cluster.State.Begin();

        Assert.False(cluster.State.CatchUp());
        Assert.True(cluster.State.Gate.IsHeldByCurrentThread);
    }

    [Fact]
    public void Change_Now_IsTheClockWhenItBegan()
    {
        using ClusterSelector cluster = Create(1);
        _time.Advance(TimeSpan.FromSeconds(42));

        using ClusterChange change = cluster.State.Begin();

        Assert.Equal(TimeSpan.FromSeconds(42), change.Now);
        Assert.Same(cluster.State, change.Cluster);
        Assert.Same(cluster.State.Settings, change.Settings);
    }

    [Fact]
    public void Change_Find_IgnoresCase_AndSeesTheChangesOwnMembership()
    {
        using ClusterSelector cluster = Create(2);

        using ClusterChange change = cluster.State.Begin();
        MembershipEditor.Add(change, new ClusterMemberOptions("Gw-New"), "id");

        Assert.Same(cluster.Snapshot.Members[1].State, change.Find("GW-1"));
        Assert.Equal("Gw-New", change.Find("gw-new")?.Id);
        Assert.Null(change.Find("gw-7"));
        Assert.Equal(2, cluster.Snapshot.Members.Length); // not published before the commit
        Assert.Equal(3, change.Snapshot.Members.Length);
    }

    [Fact]
    public async Task Change_DisposedTwice_ReleasesTheLockOnce()
    {
        using ClusterSelector cluster = Create(1);
        ClusterChange change = cluster.State.Begin();

        change.Dispose();
        Exception? second = Record.Exception(change.Dispose);

        Assert.Null(second);
        await Task.Run(() => cluster.AddMember("gw-1")).WaitAsync(Patience);
        Assert.Equal(2, cluster.MemberCount);
    }

    [Fact]
    public void Commit_NothingSelectionsSee_KeepsTheSameSnapshotInstance()
    {
        using ClusterSelector cluster = Create(2);
        ClusterSnapshot before = cluster.Snapshot;

        using (cluster.State.Begin())
        {
        }

        cluster.ReportUtilization("gw-0", 50, 50); // no threshold on: only the loads change
        cluster.ReportSuccess("gw-1"); // already online
        cluster.SetMemberEnabled("gw-1", true); // already enabled
        cluster.Mode = SelectionMode.Failover; // already so

        Assert.Same(before, cluster.Snapshot);
    }

    [Fact]
    public void Commit_VerdictRoutesDifferently_PublishesANewSnapshot()
    {
        using ClusterSelector cluster = Create(2);
        ClusterSnapshot before = cluster.Snapshot;

        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(10));

        ClusterSnapshot after = cluster.Snapshot;
        Assert.NotSame(before, after);
        Assert.Equal(MemberRejectionReason.CpuLimit, after.Members[0].Rejection);
        Assert.Equal("gw-1", Assert.Single(after.Eligible).State.Id);
    }

    [Fact]
    public void Commit_ArmsTheTimerForTheMembersNextDeadline_AndDisarmsItWhenNoneIsLeft()
    {
        using ClusterSelector cluster = Create(2);

        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(10));
        cluster.ReportRefusal("gw-1", ThrottleLimitKind.Memory, TimeSpan.FromSeconds(4));

        Assert.Equal(TimeSpan.FromSeconds(4), cluster.State.TimerDue);

        _time.Advance(TimeSpan.FromSeconds(4)); // the timer fires and commits

        Assert.Equal(TimeSpan.FromSeconds(10), cluster.State.TimerDue);

        _time.Advance(TimeSpan.FromSeconds(6));

        Assert.Null(cluster.State.TimerDue);
        Assert.Equal(2, cluster.Snapshot.Eligible.Length);
    }

    [Fact]
    public void Commit_PenaltyEnds_TheTimerOpensTheProbe()
    {
        ClusterOptions options = Clusters.Options(2);
        options.OfflinePenaltyJitter = 0;
        using var cluster = new ClusterSelector("change", options, _time, logger: _logger);

        cluster.ReportOffline("gw-0");
        Assert.Equal(TimeSpan.FromSeconds(5), cluster.State.TimerDue);

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(MemberHealth.Probing, cluster.Snapshot.Members[0].Health);
        Assert.Null(cluster.State.TimerDue);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Name == "ProbeOpened");
    }

    [Fact]
    public void Commit_EveryEnabledMemberThrottled_QueuesAllMembersThrottledOncePerTransition()
    {
        using ClusterSelector cluster = Create(2);

        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(10));
        Assert.Equal(0, AllThrottledEvents());

        cluster.ReportRefusal("gw-1", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(10));
        Assert.Equal(1, AllThrottledEvents());

        cluster.ReportRefusal("gw-1", ThrottleLimitKind.Memory, TimeSpan.FromSeconds(20)); // still all throttled
        cluster.ReportUtilization("gw-0", 10, 10);
        Assert.Equal(1, AllThrottledEvents());

        _time.Advance(TimeSpan.FromSeconds(10)); // gw-0's refusal ends
        Assert.Equal(1, AllThrottledEvents());

        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(10)); // all throttled again
        Assert.Equal(2, AllThrottledEvents());
        FakeLogRecord last = _logger.Collector.GetSnapshot().Last(r => r.Id.Name == "AllMembersThrottled");
        Assert.Equal("2", last.GetStructuredStateValue("MemberCount"));
    }

    [Fact]
    public void Commit_EveryMemberDisabled_IsNotAllMembersThrottled()
    {
        using ClusterSelector cluster = Create(2);

        cluster.SetMemberEnabled("gw-0", false);
        cluster.SetMemberEnabled("gw-1", false);

        Assert.Equal(0, AllThrottledEvents());
    }

    [Fact]
    public void Events_AreWrittenAfterTheLockIsReleased_OnTheCallersAndTheTimersThread()
    {
        var logger = new GateProbeLogger();
        ClusterOptions options = Clusters.Options(2);
        options.OfflinePenaltyJitter = 0;
        using var cluster = new ClusterSelector("change", options, _time, logger: logger);
        logger.Gate = cluster.State.Gate;

        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(1)); // MemberRefused, MemberThrottled
        cluster.AddMember("gw-2"); // MemberAdded
        cluster.ReportOffline("gw-1"); // PenaltyStarted
        _time.Advance(TimeSpan.FromSeconds(5)); // on the timer: MemberUnthrottled, ProbeOpened

        Assert.Equal(
            ["MemberRefused", "MemberThrottled", "MemberAdded", "PenaltyStarted", "MemberUnthrottled", "ProbeOpened"],
            logger.Written.Select(w => w.Event));
        Assert.All(logger.Written, w => Assert.False(w.LockHeld, $"{w.Event} was written under the lock"));
    }

    [Fact]
    public void Events_OfOneChange_AreWrittenOnce()
    {
        using ClusterSelector cluster = Create(2);
        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(1));
        int written = _logger.Collector.Count;

        using (cluster.State.Begin())
        {
        }

        cluster.ReportUtilization("gw-1", 5, 5);

        Assert.Equal(written, _logger.Collector.Count);
    }

    private int AllThrottledEvents() => _logger.Collector.GetSnapshot().Count(r => r.Id.Name == "AllMembersThrottled");

    private ClusterSelector Create(int members) => new("change", Clusters.Options(members), _time, logger: _logger);

    /// <summary>A policy that tries to change its own cluster while being evaluated.</summary>
    private sealed class ReentrantPolicy : ThrottlePolicy
    {
        public ClusterSelector? Cluster { get; set; }

        public override string Name => "reentrant";

        public override ThrottleDecision Evaluate(in MemberLoad load)
        {
            Cluster?.ReportRefusal("gw-1", ThrottleLimitKind.Cpu);
            return ThrottleDecision.Admit;
        }
    }

    /// <summary>A clock whose timers never fire, as if the thread pool never got to them.</summary>
    private sealed class StalledTimers(TimeProvider clock) : TimeProvider
    {
        public override long GetTimestamp() => clock.GetTimestamp();

        public override long TimestampFrequency => clock.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Stalled();

        private sealed class Stalled : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => default;
        }
    }

    /// <summary>Records each event's name and whether the writing thread held the cluster's lock.</summary>
    private sealed class GateProbeLogger : ILogger
    {
        public Lock? Gate { get; set; }

        public List<(string Event, bool LockHeld)> Written { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Gate is Lock gate)
            {
                Written.Add((eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), gate.IsHeldByCurrentThread));
            }
        }
    }
}
