using System.Reflection;
using System.Runtime.CompilerServices;
using FakeTimeProvider = Microsoft.Extensions.Time.Testing.FakeTimeProvider;

namespace ClusterRouting.Tests.Scheduling;

/// <summary>
/// <see cref="DeadlineTimer"/> on its own: how it arms the provider's timer, what it does when that timer fires or
/// throws, and that it neither carries the caller's context nor keeps itself alive.
/// </summary>
public class DeadlineTimerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly AsyncLocal<string?> CallerValue = new();

    private readonly RecordingTimeProvider _time = new();
    private readonly List<Exception> _failures = [];
    private int _dueCalls;

    [Fact]
    public void Arm_FirstDeadline_CreatesTheTimerForDueMinusNow()
    {
        using DeadlineTimer timer = Create();

        timer.Arm_NeedsLock(TimeSpan.FromSeconds(10), now: TimeSpan.FromSeconds(4));

        RecordingTimer created = Assert.Single(_time.Timers);
        Assert.Equal(TimeSpan.FromSeconds(6), created.DueTime);
        Assert.Equal(Timeout.InfiniteTimeSpan, created.Period);
        Assert.Equal(TimeSpan.FromSeconds(10), timer.Due);
    }

    [Theory]
    [InlineData(4_000, 4_000)] // due now
    [InlineData(3_000, 4_000)] // due in the past
    [InlineData(4_000, 3_999.9999)] // due in less than a millisecond
    public void Arm_DeadlineNowOrPast_WaitsOneMillisecond(double dueMs, double nowMs)
    {
        using DeadlineTimer timer = Create();

        timer.Arm_NeedsLock(TimeSpan.FromMilliseconds(dueMs), TimeSpan.FromMilliseconds(nowMs));

        Assert.Equal(TimeSpan.FromMilliseconds(1), Assert.Single(_time.Timers).DueTime);
    }

    [Fact]
    public void Arm_DeadlineBeyondTheLongestTimerWait_WaitsTheLongestWait()
    {
        using DeadlineTimer timer = Create();

        timer.Arm_NeedsLock(TimeSpan.MaxValue, TimeSpan.FromSeconds(1));

        Assert.Equal(TimeMath.MaxTimerWait, Assert.Single(_time.Timers).DueTime);
        Assert.Equal(TimeSpan.FromMilliseconds(uint.MaxValue - 1.0), TimeMath.MaxTimerWait);
        Assert.InRange(TimeMath.MaxTimerWait.TotalDays, 49.7, 49.72);
        Assert.Equal(TimeSpan.MaxValue, timer.Due); // the deadline is kept as asked, only the wait is capped
    }

    [Fact]
    public void Arm_SameDeadlineTwice_DoesNotArmAgain()
    {
        using DeadlineTimer timer = Create();
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(10), TimeSpan.Zero);

        timer.Arm_NeedsLock(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(3));

        RecordingTimer created = Assert.Single(_time.Timers);
        Assert.Empty(created.Changes);
    }

    [Fact]
    public void Arm_SameDeadlineAfterTheTimerFired_ArmsAgain()
    {
        using DeadlineTimer timer = Create();
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(10), TimeSpan.Zero);
        RecordingTimer created = Assert.Single(_time.Timers);
        created.Fire(); // a little early, as real timers may

        timer.Arm_NeedsLock(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(9));

        (TimeSpan due, TimeSpan period) = Assert.Single(created.Changes);
        Assert.Equal(TimeSpan.FromSeconds(1), due);
        Assert.Equal(Timeout.InfiniteTimeSpan, period);
        Assert.Single(_time.Timers);
    }

    [Fact]
    public void Arm_SameDeadlineFromInsideTheCallback_ArmsAgain()
    {
        DeadlineTimer? timer = null;
        timer = new DeadlineTimer(_time, () => timer!.Arm_NeedsLock(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10)), _failures.Add);
        using (timer)
        {
            timer.Arm_NeedsLock(TimeSpan.FromSeconds(10), TimeSpan.Zero);

            _time.Timers[0].Fire();

            Assert.Equal(TimeSpan.FromMilliseconds(1), Assert.Single(_time.Timers[0].Changes).DueTime);
            Assert.Empty(_failures);
        }
    }

    [Fact]
    public void Arm_DifferentDeadline_ChangesTheExistingTimer()
    {
        using DeadlineTimer timer = Create();
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(10), TimeSpan.Zero);

        timer.Arm_NeedsLock(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1));

        RecordingTimer created = Assert.Single(_time.Timers);
        Assert.Equal((TimeSpan.FromSeconds(4), Timeout.InfiniteTimeSpan), Assert.Single(created.Changes));
        Assert.Equal(TimeSpan.FromSeconds(5), timer.Due);
    }

    [Fact]
    public void Arm_Null_DisarmsTheTimer()
    {
        using DeadlineTimer timer = Create();
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(10), TimeSpan.Zero);

        timer.Arm_NeedsLock(null, TimeSpan.FromSeconds(1));
        timer.Arm_NeedsLock(null, TimeSpan.FromSeconds(2));

        RecordingTimer created = Assert.Single(_time.Timers);
        Assert.Equal((Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan), Assert.Single(created.Changes));
        Assert.Null(timer.Due);
    }

    [Fact]
    public void Arm_NullBeforeAnyDeadline_CreatesNoTimer()
    {
        using DeadlineTimer timer = Create();

        timer.Arm_NeedsLock(null, TimeSpan.Zero);

        Assert.Empty(_time.Timers);
        Assert.Null(timer.Due);
    }

    [Fact]
    public void Callback_TimerFires_InvokesOnDue()
    {
        using DeadlineTimer timer = Create();
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(1), TimeSpan.Zero);

        _time.Timers[0].Fire();

        Assert.Equal(1, _dueCalls);
        Assert.Empty(_failures);
    }

    [Fact]
    public void Callback_FakeClockReachesTheDeadline_InvokesOnDueOnceThen()
    {
        var clock = new FakeTimeProvider();
        using var timer = new DeadlineTimer(clock, () => _dueCalls++, _failures.Add);
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(5), TimeSpan.Zero);

        clock.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromTicks(1));
        Assert.Equal(0, _dueCalls);

        clock.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(1, _dueCalls);

        clock.Advance(TimeSpan.FromDays(1)); // one-shot
        Assert.Equal(1, _dueCalls);
    }

    [Fact]
    public void Callback_OnDueThrows_GoesToOnFailure_AndNothingEscapes()
    {
        var thrown = new InvalidOperationException("onDue");
        using var timer = new DeadlineTimer(_time, () => throw thrown, _failures.Add);
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(1), TimeSpan.Zero);

        Exception? escaped = Record.Exception(() => _time.Timers[0].Fire());

        Assert.Null(escaped);
        Assert.Same(thrown, Assert.Single(_failures));
    }

    [Fact]
    public void Callback_OnDueAndOnFailureBothThrow_NothingEscapes()
    {
        int failureCalls = 0;
        using var timer = new DeadlineTimer(
            _time,
            () => throw new InvalidOperationException("onDue"),
            _ =>
            {
                failureCalls++;
                throw new InvalidOperationException("onFailure");
            });
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(1), TimeSpan.Zero);

        Exception? escaped = Record.Exception(() => _time.Timers[0].Fire());

        Assert.Null(escaped);
        Assert.Equal(1, failureCalls);
    }

    [Fact]
    public void Arm_CreateTimerThrows_ReportsIt_AndTheNextArmTriesAgain()
    {
        var thrown = new InvalidOperationException("CreateTimer");
        _time.CreateThrows = thrown;
        using DeadlineTimer timer = Create();

        Exception? escaped = Record.Exception(() => timer.Arm_NeedsLock(TimeSpan.FromSeconds(10), TimeSpan.Zero));

        Assert.Null(escaped);
        Assert.Same(thrown, Assert.Single(_failures));
        Assert.Null(timer.Due);

        _time.CreateThrows = null;
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1)); // the same deadline: still tried again

        Assert.Equal(TimeSpan.FromSeconds(9), Assert.Single(_time.Timers).DueTime);
        Assert.Equal(TimeSpan.FromSeconds(10), timer.Due);
    }

    [Fact]
    public void Arm_ChangeThrows_ReportsIt_AndTheNextArmTriesAgain()
    {
        using DeadlineTimer timer = Create();
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(10), TimeSpan.Zero);
        RecordingTimer created = _time.Timers[0];
        var thrown = new InvalidOperationException("Change");
        created.ChangeThrows = thrown;

        timer.Arm_NeedsLock(TimeSpan.FromSeconds(20), TimeSpan.Zero);

        Assert.Same(thrown, Assert.Single(_failures));
        Assert.Null(timer.Due);

        created.ChangeThrows = null;
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(2));

        Assert.Equal(TimeSpan.FromSeconds(20), timer.Due);
        Assert.Equal((TimeSpan.FromSeconds(18), Timeout.InfiniteTimeSpan), created.Changes[^1]);
    }

    [Fact]
    public void Arm_DisarmThrows_ReportsIt()
    {
        using DeadlineTimer timer = Create();
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(10), TimeSpan.Zero);
        _time.Timers[0].ChangeThrows = new InvalidOperationException("Change");

        timer.Arm_NeedsLock(null, TimeSpan.Zero);

        Assert.Single(_failures);
        Assert.Null(timer.Due);
    }

    [Fact]
    public void Dispose_DisposesTheProviderTimer_AndLaterArmsDoNothing()
    {
        DeadlineTimer timer = Create();
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(10), TimeSpan.Zero);
        RecordingTimer created = _time.Timers[0];

        timer.Dispose();
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(20), TimeSpan.Zero);
        timer.Arm_NeedsLock(null, TimeSpan.Zero);

        Assert.True(created.IsDisposed);
        Assert.Empty(created.Changes);
        Assert.Single(_time.Timers);
        Assert.Null(timer.Due);
    }

    [Fact]
    public void Dispose_BeforeAnyDeadline_LaterArmsCreateNoTimer()
    {
        DeadlineTimer timer = Create();

        timer.Dispose();
        timer.Dispose();
        timer.Arm_NeedsLock(TimeSpan.FromSeconds(20), TimeSpan.Zero);

        Assert.Empty(_time.Timers);
        Assert.Null(timer.Due);
    }

    [Fact]
    public void Arm_CreatesTheTimerWithExecutionContextFlowSuppressed_AndRestoresTheCallersFlow()
    {
        using DeadlineTimer timer = Create();

        timer.Arm_NeedsLock(TimeSpan.FromSeconds(1), TimeSpan.Zero);

        Assert.True(Assert.Single(_time.Timers).FlowSuppressedAtCreation);
        Assert.False(ExecutionContext.IsFlowSuppressed());
    }

    [Fact]
    public void Arm_CallerHasAlreadySuppressedTheFlow_LeavesItSuppressed()
    {
        using DeadlineTimer timer = Create();
        AsyncFlowControl suppressed = ExecutionContext.SuppressFlow();
        try
        {
            timer.Arm_NeedsLock(TimeSpan.FromSeconds(1), TimeSpan.Zero);

            Assert.True(ExecutionContext.IsFlowSuppressed());
        }
        finally
        {
            suppressed.Undo();
        }

        Assert.True(Assert.Single(_time.Timers).FlowSuppressedAtCreation);
    }

    [Fact]
    public async Task Callback_RealTimer_DoesNotSeeTheCallersAsyncLocal()
    {
        var seen = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = new DeadlineTimer(TimeProvider.System, () => seen.TrySetResult(CallerValue.Value ?? "(none)"), _failures.Add);

        await Task.Run(() =>
        {
            CallerValue.Value = "request-1";
            timer.Arm_NeedsLock(TimeSpan.FromMilliseconds(20), TimeSpan.Zero);
        });

        Assert.Equal("(none)", await seen.Task.WaitAsync(Patience));
    }

    [Fact]
    public void Arm_SystemProvider_CreatesASystemThreadingTimer()
    {
        using var timer = new DeadlineTimer(TimeProvider.System, () => { }, _failures.Add);

        timer.Arm_NeedsLock(TimeSpan.FromDays(1), TimeSpan.Zero);

        Assert.IsType<Timer>(ProviderTimerOf(timer));
    }

    [Fact]
    public void Arm_OtherProvider_UsesTheProvidersTimer()
    {
        using DeadlineTimer timer = Create();

        timer.Arm_NeedsLock(TimeSpan.FromDays(1), TimeSpan.Zero);

        Assert.Same(_time.Timers[0], ProviderTimerOf(timer));
    }

    [Fact]
    public void ArmedTimer_NoLongerReferenced_IsCollected()
    {
        (WeakReference deadlineTimer, WeakReference systemTimer) = ArmAndDrop();

        for (int i = 0; i < 5 && (deadlineTimer.IsAlive || systemTimer.IsAlive); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.False(deadlineTimer.IsAlive, "the armed DeadlineTimer was kept alive");
        Assert.False(systemTimer.IsAlive, "its System.Threading.Timer was kept alive");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (WeakReference DeadlineTimer, WeakReference SystemTimer) ArmAndDrop()
    {
        var timer = new DeadlineTimer(TimeProvider.System, () => { }, _ => { });
        timer.Arm_NeedsLock(TimeSpan.FromDays(1), TimeSpan.Zero);
        return (new WeakReference(timer), new WeakReference(ProviderTimerOf(timer)));
    }

    private static object? ProviderTimerOf(DeadlineTimer timer) =>
        typeof(DeadlineTimer).GetField("_timer", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(timer);

    private DeadlineTimer Create() => new(_time, () => _dueCalls++, _failures.Add);

    /// <summary>A provider whose timers never fire by themselves: the test fires them, and reads how they were created and changed.</summary>
    private sealed class RecordingTimeProvider : TimeProvider
    {
        public List<RecordingTimer> Timers { get; } = [];

        public Exception? CreateThrows { get; set; }

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (CreateThrows is Exception ex)
            {
                throw ex;
            }

            var timer = new RecordingTimer(callback, state, dueTime, period, ExecutionContext.IsFlowSuppressed());
            Timers.Add(timer);
            return timer;
        }
    }

    private sealed class RecordingTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period, bool flowSuppressed) : ITimer
    {
        public TimeSpan DueTime { get; } = dueTime;

        public TimeSpan Period { get; } = period;

        public bool FlowSuppressedAtCreation { get; } = flowSuppressed;

        public List<(TimeSpan DueTime, TimeSpan Period)> Changes { get; } = [];

        public Exception? ChangeThrows { get; set; }

        public bool IsDisposed { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (ChangeThrows is Exception ex)
            {
                throw ex;
            }

            Changes.Add((dueTime, period));
            return true;
        }

        public void Dispose() => IsDisposed = true;

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
