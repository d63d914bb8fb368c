using System.Diagnostics;
using System.Diagnostics.Metrics;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Tests;

// Temporary: the engine issue's defects, against the API as it is before the fix. Each must fail now.
[Collection(AllocationGates.Name)]
public class DefectsBeforeFixTests
{
    private sealed class MaintenanceWindow(FakeTimeProvider time, DateTimeOffset end) : ThrottlePolicy
    {
        public override string Name => "maintenance";

        public override ThrottleDecision Evaluate(in MemberLoad load) =>
            load.MemberId == "gw-0" && time.GetUtcNow() < end ? ThrottleDecision.Throttle(end - time.GetUtcNow()) : ThrottleDecision.Admit;
    }

    [Fact]
    public void D1_PolicyDeadline_Passes_MemberAdmittedWithoutNewData()
    {
        var time = new FakeTimeProvider();
        var cluster = new ClusterSelector("d1", new ClusterOptions { Members = { new("gw-0"), new("gw-1") }, ThrottlePolicies = { new MaintenanceWindow(time, time.GetUtcNow().AddMinutes(10)) } }, time);
        Assert.Equal("gw-1", cluster.SelectOnce());
        time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    private sealed class KindThrows : ThrottlePolicy
    {
        public volatile bool Armed;

        public override string Name => "kind-throws";

        public override ThrottleLimitKind Kind => Armed ? throw new InvalidOperationException("Kind") : ThrottleLimitKind.Custom;

        public override ThrottleDecision Evaluate(in MemberLoad load) => load.MemberId == "gw-1" ? ThrottleDecision.Throttle() : ThrottleDecision.Admit;
    }

    [Fact]
    public void D2_PolicyKindThrowsOnTheTimer_DoesNotEscape()
    {
        var time = new FakeTimeProvider();
        var policy = new KindThrows();
        var cluster = new ClusterSelector("d2", new ClusterOptions { Members = { new("gw-0"), new("gw-1") }, ThrottlePolicies = { policy } }, time);
        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(1));
        policy.Armed = true;
        time.Advance(TimeSpan.FromSeconds(2)); // the refusal ends on the timer: every member is evaluated, gw-1's throttle reads Kind
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    private sealed class ThrowingLogger : ILogger
    {
        public volatile bool Throw;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (Throw)
            {
                throw new IOException("sink closed");
            }
        }
    }

    [Fact]
    public void D2_LoggerThrowsOnTheTimer_DoesNotEscape()
    {
        var time = new FakeTimeProvider();
        var logger = new ThrowingLogger();
        var cluster = new ClusterSelector("d2", new ClusterOptions { Members = { new("gw-0"), new("gw-1") } }, time, logger: logger);
        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(1));
        logger.Throw = true;
        time.Advance(TimeSpan.FromSeconds(2)); // MemberUnthrottled is written on the timer
    }

    [Fact]
    public void D3_ThrowingMeterListener_DoesNotLeakTheSlot()
    {
        var cluster = new ClusterSelector("d3-leak", new ClusterOptions { Members = { new("gw-0") }, ConcurrentOperationLimitPreview = 1 });
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ClusterRouting" && instrument.Name == "cluster_routing.selections")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "cluster" && (string?)tag.Value == "d3-leak")
                {
                    throw new InvalidOperationException("listener");
                }
            }
        });
        listener.Start();
        try
        {
            if (cluster.TrySelect(out MemberLease lease, out _))
            {
                lease.Dispose();
            }
        }
        catch (InvalidOperationException)
        {
        }

        listener.Dispose();
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
    }

    private static readonly AsyncLocal<string?> Request = new();

    private sealed class ContextLogger : ILogger
    {
        public readonly System.Collections.Concurrent.ConcurrentQueue<(string Event, string? Request)> Seen = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Seen.Enqueue((eventId.Name!, Request.Value));
    }

    [Fact]
    public async Task D4_Timer_DoesNotCaptureTheCallersContext()
    {
        var logger = new ContextLogger();
        var cluster = new ClusterSelector("d4", new ClusterOptions { Members = { new("gw-0"), new("gw-1") } }, logger: logger);
        await Task.Run(() =>
        {
            Request.Value = "request-1";
            cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromMilliseconds(50));
        });

        var deadline = Stopwatch.StartNew();
        while (!logger.Seen.Any(s => s.Event == "MemberUnthrottled") && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10);
        }

        (string _, string? request) = Assert.Single(logger.Seen, s => s.Event == "MemberUnthrottled");
        Assert.Null(request);
    }

    private sealed class InertTimers(FakeTimeProvider inner) : TimeProvider
    {
        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Inert();

        private sealed class Inert : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => default;
        }
    }

    [Fact]
    public void D5_CoolDownOver_TimerNotRunYet_FailingSelectionHonoursIt()
    {
        var fake = new FakeTimeProvider();
        var cluster = new ClusterSelector("d5", new ClusterOptions { Members = { new("gw-0") } }, new InertTimers(fake));
        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromMilliseconds(100));
        fake.Advance(TimeSpan.FromMilliseconds(150));
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    private sealed class SteppingClock : TimeProvider
    {
        public long Ticks = 1_000_000_000;

        public override long GetTimestamp() => Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }

    [Fact]
    public void D6_ClockStepsBack_ReportUtilization_DoesNotThrow()
    {
        var clock = new SteppingClock();
        var cluster = new ClusterSelector("d6", new ClusterOptions { Members = { new("gw-0") } }, clock);
        clock.Ticks -= TimeSpan.FromSeconds(30).Ticks;
        Assert.True(cluster.ReportUtilization("gw-0", 10, 10));
    }

    [Fact]
    public void D6_ClockStepsBack_ReportOffline_DoesNotThrowOrHalfChange()
    {
        var clock = new SteppingClock();
        var cluster = new ClusterSelector("d6", new ClusterOptions { Members = { new("gw-0") } }, clock);
        clock.Ticks -= TimeSpan.FromSeconds(30).Ticks;
        Exception? thrown = Record.Exception(() => cluster.ReportOffline("gw-0"));
        MemberStatus status = cluster.GetStatus().Members[0];
        Assert.Null(thrown);
        Assert.Equal(MemberHealth.Penalized, status.Health);
    }

    [Fact]
    public void D7_TrackOfflineMembersTurnedOff_ClearsPenalties()
    {
        var time = new FakeTimeProvider();
        var options = new ClusterOptions { Members = { new("gw-0"), new("gw-1") } };
        var cluster = new ClusterSelector("d7", options, time);
        cluster.ReportOffline("gw-0");
        cluster.Reconfigure(new ClusterOptions { Members = { new("gw-0"), new("gw-1") }, TrackOfflineMembers = false });
        Assert.Equal(MemberHealth.Online, cluster.GetStatus().Members[0].Health);
        time.Advance(TimeSpan.FromMinutes(5));
        using MemberLease a = cluster.Select();
        using MemberLease b = cluster.Select();
        Assert.Equal(["gw-0", "gw-0"], new[] { a.MemberId, b.MemberId });
    }

    [Fact]
    public void D8_ProbeOut_FailureKeepsTheReasonItWasDecidedWith()
    {
        var time = new FakeTimeProvider();
        var cluster = new ClusterSelector("d8", new ClusterOptions { Members = { new("gw-0") }, OfflinePenaltyJitter = 0 }, time);
        cluster.ReportOffline("gw-0");
        time.Advance(TimeSpan.FromSeconds(5));
        MemberLease probe = cluster.Select();
        Assert.True(probe.IsProbe);
        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));
        probe.Dispose();
        Assert.Equal(MemberRejectionReason.Probing, failure.GetRejection(0).Reason);
        Assert.False(failure.IsThrottled);
    }

    [Fact]
    public void D9_DroppedSelectors_ReleaseTheirTimers()
    {
        long before = Timer.ActiveCount;
        Create(2_000);
        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.True(Timer.ActiveCount - before < 1_000, $"{Timer.ActiveCount - before} timers still active");

        static void Create(int count)
        {
            for (int i = 0; i < count; i++)
            {
                var cluster = new ClusterSelector("d9", new ClusterOptions { Members = { new("gw-0") } });
                cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromDays(1));
            }
        }
    }

    [Fact]
    public void D11_InFlightSeenByALateListener_IsExact()
    {
        var cluster = new ClusterSelector("d11-late", new ClusterOptions { Members = { new("gw-0") } });
        var leases = Enumerable.Range(0, 5).Select(_ => cluster.Select()).ToList();
        long exported = 0;
        bool observable = false;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ClusterRouting" && instrument.Name == "cluster_routing.leases.in_flight")
            {
                observable = instrument.IsObservable;
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Value is "d11-late")
                {
                    exported = observable ? value : exported + value;
                }
            }
        });
        listener.Start();
        leases.ForEach(l => l.Dispose());
        listener.RecordObservableInstruments();
        Assert.Equal(0, exported);
    }
}
