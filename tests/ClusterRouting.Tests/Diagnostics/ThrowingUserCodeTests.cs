using System.Diagnostics.Metrics;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Diagnostics;

/// <summary>
/// User code the cluster calls (policies, loggers, meter listeners, the offline predicate) may throw anywhere: on the
/// timer's thread, inside a selection that already holds a slot, at shutdown. Nothing escapes, no state is left half
/// changed, no slot leaks; each failure is counted and logged, except to a logger that is itself failing.
/// </summary>
/// <remarks>
/// The fake clock fires due timers on the thread that advances it, so what would escape onto a thread-pool thread (and
/// end the process) escapes from <c>Advance</c> here instead. Regression: a policy whose <c>Kind</c> threw, or a logger
/// that threw while the timer wrote an event, escaped the timer callback; a throwing listener inside <c>TrySelect</c>
/// left the member's slot taken for good.
/// </remarks>
[Collection(AllocationGates.Name)] // The listeners here listen to the shared meter: alone, so no other test records into them.
public class ThrowingUserCodeTests
{
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Policy_NameOrKindThrowsOnTheTimer_NothingEscapes_CountedAndLogged(bool kindThrows, bool nameThrows)
    {
        var policy = new ThrowingGetters { Throws = false, KindThrows = kindThrows, NameThrows = nameThrows };
        var logger = new FakeLogger();
        using var cluster = new ClusterSelector("timer", Options(policy), _time, logger: logger);
        Assert.Equal(MemberRejectionReason.PolicyLimit, cluster.GetStatus().Members[1].Throttle);
        policy.Throws = true;

        // gw-1's retry-after passes on the timer: the policy is evaluated again there, and the getters are read.
        Exception? escaped = Record.Exception(() => _time.Advance(TimeSpan.FromSeconds(2)));

        Assert.Null(escaped);
        Assert.Equal("gw-0", cluster.SelectOnce());
        Assert.True(cluster.ThrottlePolicyFailures > 0);
        MemberStatus gw1 = cluster.GetStatus().Members[1];
        Assert.Equal(kindThrows ? MemberRejectionReason.None : MemberRejectionReason.PolicyLimit, gw1.Throttle);
        if (kindThrows)
        {
            FakeLogRecord failed = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Name == "ThrottlePolicyFailed");
            Assert.Equal("Kind", failed.Exception!.Message);
        }
        else
        {
            // A name that can't be read is replaced by the type's name; the throttle itself stands.
            Assert.Equal(nameof(ThrowingGetters), gw1.ThrottledBy);
        }
    }

    [Fact]
    public void Logger_ThrowsWhileTheTimerWritesAnEvent_NothingEscapes_AndTheChangeStands()
    {
        var logger = new SwitchableLogger();
        using var cluster = new ClusterSelector("timer", Options(), _time, logger: logger);
        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(1));
        logger.Throws = true; // a disposed sink at shutdown

        Exception? escaped = Record.Exception(() => _time.Advance(TimeSpan.FromSeconds(2)));

        Assert.Null(escaped);
        Assert.Equal(MemberRejectionReason.None, cluster.GetStatus().Members[0].Throttle);
        Assert.Equal("gw-0", cluster.SelectOnce());
        Assert.Equal(1, cluster.CallbackFailures(CallbackKind.Logger));
        Assert.Equal(1, logger.Calls); // the failure is not logged to the logger that failed
    }

    [Fact]
    public void Logger_ThrowsWhileAReportWritesItsEvents_TheReportStandsAndReturns()
    {
        var logger = new SwitchableLogger { Throws = true };
        using var cluster = new ClusterSelector("report", Options(), _time, logger: logger);

        Assert.True(cluster.ReportOffline("gw-0"));

        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[0].Health);
        Assert.Equal("gw-1", cluster.SelectOnce());
        Assert.True(cluster.CallbackFailures(CallbackKind.Logger) >= 1);
    }

    [Fact]
    public void MeterListener_ThrowsInsideTrySelect_TrySelectDoesNotThrow_AndNoSlotLeaks()
    {
        using var cluster = new ClusterSelector("listener-throws", new ClusterOptions { Members = { new("gw-0") }, ConcurrentOperationLimitPreview = 1 }, _time);
        using MeterListener listener = ThrowingListener("listener-throws", "cluster_routing.selections");

        for (int i = 0; i < 3; i++)
        {
            Assert.True(cluster.TrySelect(out MemberLease lease, out _));
            lease.Dispose();
        }

        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
        Assert.Equal(3, cluster.CallbackFailures(CallbackKind.MeterListener));
    }

    [Fact]
    public void MeterListener_ThrowsWhileAFailureIsRecorded_TrySelectReturnsTheFailure()
    {
        using var cluster = new ClusterSelector("listener-throws-on-failure", new ClusterOptions { Members = { new("gw-0", enabled: false) } }, _time);
        using MeterListener listener = ThrowingListener("listener-throws-on-failure", "cluster_routing.selections");

        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));

        Assert.Equal(MemberRejectionReason.Disabled, failure.GetRejection(0).Reason);
        Assert.Equal(1, cluster.CallbackFailures(CallbackKind.MeterListener));
    }

    [Fact]
    public void Logger_ThrowsAtDebugDuringAFailover_TheSelectionReturnsItsLease_AndNoSlotLeaks()
    {
        var logger = new SwitchableLogger { Throws = true };
        using var cluster = new ClusterSelector("failover", new ClusterOptions { Members = { new("gw-0", enabled: false), new("gw-1") }, ConcurrentOperationLimitPreview = 1 }, _time, logger: logger);

        for (int i = 0; i < 3; i++)
        {
            Assert.True(cluster.TrySelect(out MemberLease lease, out _));
            Assert.Equal("gw-1", lease.MemberId);
            lease.Dispose();
        }

        Assert.Equal(0, cluster.GetStatus().Members[1].InFlight);
    }

    [Fact]
    public async Task MeterListener_ThrowsWhileExecuteAsyncRecordsTheDuration_TheResultIsReturned()
    {
        using var cluster = new ClusterSelector("duration-throws", Options(), _time);
        using MeterListener listener = ThrowingListener("duration-throws", "cluster_routing.operation.duration");

        string result = await cluster.ExecuteAsync((lease, _) => ValueTask.FromResult(lease.MemberId));

        Assert.Equal("gw-0", result);
        Assert.Equal(1, cluster.CallbackFailures(CallbackKind.MeterListener));
    }

    [Fact]
    public async Task OfflinePredicate_Throws_TheOperationsOwnExceptionPropagates_CountedAndLogged()
    {
        var logger = new FakeLogger();
        ClusterOptions options = Options();
        options.IsOfflineException = _ => throw new InvalidOperationException("predicate");
        using var cluster = new ClusterSelector("predicate", options, _time, logger: logger);

        var own = await Assert.ThrowsAsync<TimeoutException>(() => cluster.ExecuteAsync<int>((_, _) => throw new TimeoutException("own")).AsTask());

        Assert.Equal("own", own.Message);
        Assert.Equal(1, cluster.CallbackFailures(CallbackKind.OfflinePredicate));
        FakeLogRecord record = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Name == "CallbackFailed");
        Assert.Equal(LogLevel.Error, record.Level);
        Assert.Equal("offline predicate", record.GetStructuredStateValue("Callback"));
        Assert.Equal(MemberHealth.Online, cluster.GetStatus().Members[0].Health);
    }

    [Fact]
    public void Policy_ChangesTheClusterFromEvaluate_IsRefused_AsAFailingPolicy()
    {
        var policy = new ReentrantPolicy();
        using var cluster = new ClusterSelector("reentrant", Options(policy), _time);
        policy.Cluster = cluster;

        Assert.True(cluster.ReportUtilization("gw-0", 10, 10));

        Assert.IsType<InvalidOperationException>(policy.Seen);
        Assert.True(cluster.ThrottlePolicyFailures > 0);
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    private static ClusterOptions Options(ThrottlePolicy? policy = null)
    {
        var options = new ClusterOptions { Members = { new("gw-0"), new("gw-1") } };
        if (policy is not null)
        {
            options.ThrottlePolicies.Add(policy);
        }

        return options;
    }

    /// <summary>A listener on the shared meter that throws for one instrument of one cluster.</summary>
    private static MeterListener ThrowingListener(string clusterName, string instrumentName)
    {
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "ClusterRouting" && instrument.Name == instrumentName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) => ThrowFor(clusterName, tags));
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) => ThrowFor(clusterName, tags));
        listener.Start();
        return listener;

        static void ThrowFor(string clusterName, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == ClusterRoutingTelemetry.ClusterTag && (string?)tag.Value == clusterName)
                {
                    throw new InvalidOperationException("listener");
                }
            }
        }
    }

    /// <summary>Throttles gw-1 for a second at a time; its getters throw once armed.</summary>
    private sealed class ThrowingGetters : ThrottlePolicy
    {
        public bool Throws { get; set; }

        public bool KindThrows { get; init; }

        public bool NameThrows { get; init; }

        public override string Name => Throws && NameThrows ? throw new InvalidOperationException("Name") : "getters";

        public override ThrottleLimitKind Kind => Throws && KindThrows ? throw new InvalidOperationException("Kind") : ThrottleLimitKind.Custom;

        public override ThrottleDecision Evaluate(in MemberLoad load) => load.MemberId == "gw-1" ? ThrottleDecision.Throttle(TimeSpan.FromSeconds(1)) : ThrottleDecision.Admit;
    }

    private sealed class ReentrantPolicy : ThrottlePolicy
    {
        public ClusterSelector? Cluster { get; set; }

        public Exception? Seen { get; private set; }

        public override string Name => "reentrant";

        public override ThrottleDecision Evaluate(in MemberLoad load)
        {
            try
            {
                Cluster?.SetMemberEnabled(load.MemberId, enabled: false);
            }
            catch (Exception ex)
            {
                Seen = ex;
                throw;
            }

            return ThrottleDecision.Admit;
        }
    }

    private sealed class SwitchableLogger : ILogger
    {
        private int _calls;

        public bool Throws { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Throws)
            {
                Interlocked.Increment(ref _calls);
                throw new IOException("sink closed");
            }
        }
    }
}
