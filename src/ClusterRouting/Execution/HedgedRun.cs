using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace ClusterRouting;

/// <summary>
/// A run of <c>ExecuteAsync</c> whose attempt did not complete synchronously while hedging is on. After
/// <see cref="HedgingSettings.Delay"/> without a result (timed from the latest attempt's start by the cluster's
/// <see cref="TimeProvider"/>), the same operation starts on another member, up to
/// <see cref="HedgingSettings.MaxHedgedAttempts"/> hedges: only a member that can take it now and that the run has not
/// tried (<see cref="ClusterSelector.TrySelectHedge"/>). An attempt that proves its member offline or refused is
/// replaced at once, as without hedging. The first success, or the operation's own exception, decides the run; the
/// other attempts are then cancelled, and the run waits for them to end, so that when it returns every lease is
/// released and every outcome recorded.
/// </summary>
/// <remarks>
/// One logical thread runs the loop: it alone starts attempts and reads their outcomes. Attempts end on whatever
/// thread completes their operation; they record their own outcome, then <see cref="Signal"/> the loop.
/// </remarks>
internal sealed class HedgedRun<TState, TResult>
{
    private readonly Lock _gate = new();
    private readonly TState _state;
    private readonly Func<TState, MemberLease, CancellationToken, ValueTask<TResult>> _operation;
    private readonly HedgingSettings _settings;
    private readonly Activity? _span;
    private readonly List<HedgedAttempt<TState, TResult>> _running = new(2);
    private readonly List<AttemptCancellation> _cancellations = new(2);
    private TriedMembers _tried;
    private List<MemberAttempt>? _attempts;
    private int _attemptNumber;
    private ITimer? _timer;

    // Guarded by _gate: whether something happened since the loop last looked, the loop's wake-up while it waits, and
    // whether the hedging delay passed.
    private bool _signalled;
    private TaskCompletionSource<bool>? _wake;
    private bool _timerDue;

    public HedgedRun(
        ClusterSelector cluster,
        TState state,
        Func<TState, MemberLease, CancellationToken, ValueTask<TResult>> operation,
        HedgingSettings settings,
        Activity? span,
        TriedMembers tried,
        List<MemberAttempt>? attempts,
        CancellationToken cancellationToken)
    {
        Cluster = cluster;
        _state = state;
        _operation = operation;
        _settings = settings;
        _span = span;
        _tried = tried;
        _attempts = attempts;
        _attemptNumber = tried.Count;
        CancellationToken = cancellationToken;
    }

    public ClusterSelector Cluster { get; }

    /// <summary>Gets the caller's token.</summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Continues the run from its attempt in flight, which <paramref name="pending"/> completes.</summary>
#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    public async ValueTask<TResult> RunAsync(MemberLease lease, AttemptCancellation cancellation, AttemptTelemetry telemetry, ValueTask<TResult> pending)
    {
        _attemptNumber++;
        HedgedAttempt<TState, TResult> first = Track(lease, cancellation, telemetry);
        first.Listen(pending);

        int maxHedges = _settings.MaxHedgedAttempts;
        bool atOnce = _settings.Delay == TimeSpan.Zero;
        int hedges = atOnce ? maxHedges : 0;
        bool armTimer = !atOnce;
        try
        {
            while (true)
            {
                if (TryDecide(out TResult result))
                {
                    return result;
                }

                CancellationToken.ThrowIfCancellationRequested();
                if (TakeTimerDue())
                {
                    hedges = Math.Min(hedges + 1, maxHedges);
                    armTimer = true;
                }

                // Refill: with nothing in flight the next attempt is a failover (penalized members as a last resort),
                // beside one in flight it is a hedge.
                while (_running.Count < 1 + hedges && TryStart(hedge: _running.Count > 0))
                {
                    armTimer = true;
                }

                if (_running.Count == 0)
                {
                    // Every attempt has ended offline or refused (a success or the operation's own error ends the run
                    // first, in TryDecide), so each is listed.
                    throw FailoverExecution.Failed(Cluster, _span, default, _attempts);
                }

                // With no delay, a hedge that no member could take is tried again when an attempt ends: a timer to try
                // again would be due at once, every time, and the run would spin until an attempt ended.
                if (armTimer && !atOnce)
                {
                    // Another delay for the next hedge, or to try again for one that no member could take.
                    armTimer = false;
                    ArmTimer(hedges < maxHedges || _running.Count < 1 + hedges ? _settings.Delay : Timeout.InfiniteTimeSpan);
                }

                await WaitAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            await FinishAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Looks at what ended, in the order the attempts started: a success decides the run (true), the operation's own
    /// error ends it (thrown), an offline or refused attempt is listed for <see cref="AllMembersFailedException"/>.
    /// </summary>
    private bool TryDecide(out TResult result)
    {
        for (int i = 0; i < _running.Count; i++)
        {
            HedgedAttempt<TState, TResult> attempt = _running[i];
            if (!attempt.HasEnded)
            {
                continue;
            }

            _running.RemoveAt(i--);
            switch (attempt.End)
            {
                case AttemptEnd.Success:
                    result = attempt.Result!;
                    return true;
                case AttemptEnd.Error:
                    ExceptionDispatchInfo.Capture(attempt.Error!).Throw();
                    break;
                default:
                    AttemptOutcomes.TryAdd(ref _attempts, attempt.Member, attempt.End, attempt.Error!);
                    break;
            }
        }

        result = default!;
        return false;
    }

    /// <summary>Something happened: an attempt ended, or the hedging delay passed. Called on any thread.</summary>
    public void Signal()
    {
        TaskCompletionSource<bool>? wake;
        lock (_gate)
        {
            wake = _wake;
            _wake = null;
            _signalled = wake is null;
        }

        // Stryker disable once Boolean : the wake-up's result is never read, only its completion
        wake?.TrySetResult(true);
    }

    private HedgedAttempt<TState, TResult> Track(MemberLease lease, AttemptCancellation cancellation, AttemptTelemetry telemetry)
    {
        _tried.Add(lease.Member!.Slots, Cluster.MemberCount);
        _cancellations.Add(cancellation);
        var attempt = new HedgedAttempt<TState, TResult>(this, lease, cancellation, telemetry);
        _running.Add(attempt);
        return attempt;
    }

    /// <summary>Starts the operation on a member the run has not tried, if one can take it.</summary>
    private bool TryStart(bool hedge)
    {
        ExcludeTried untried = _tried.Exclude();
        MemberLease lease;
        bool selected = hedge ? Cluster.TrySelectHedge(untried, out lease) : Cluster.TrySelect(untried, out lease, out _);
        if (!selected)
        {
            return false;
        }

        AttemptTelemetry telemetry;
        try
        {
            telemetry = AttemptTelemetry.Start(Cluster.State, _span, lease.MemberId, ++_attemptNumber, hedge);
        }
        catch
        {
            // As in FailoverExecution: the tracer's exception ends the run, and the slot nothing ran on is given back.
            lease.Dispose();
            throw;
        }

        AttemptCancellation cancellation = AttemptCancellation.Rent(CancellationToken);
        HedgedAttempt<TState, TResult> attempt = Track(lease, cancellation, telemetry);
        ValueTask<TResult> pending;
        try
        {
            pending = _operation(_state, lease, cancellation.Token);
        }
#pragma warning disable CA1031 // Thrown before the operation returned: the same outcome as an exception it returned.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            attempt.Finish(default, ex);
            return true;
        }

        attempt.Listen(pending);
        return true;
    }

    private ValueTask WaitAsync()
    {
        TaskCompletionSource<bool> wake;
        lock (_gate)
        {
            if (_signalled)
            {
                _signalled = false;
                return default;
            }

            // Resumed on the thread pool: an attempt that ends inside another's cancellation must not run the loop.
            wake = _wake = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return new ValueTask(wake.Task);
    }

    private bool TakeTimerDue()
    {
        lock (_gate)
        {
            bool due = _timerDue;
            _timerDue = false;
            return due;
        }
    }

    /// <summary>
    /// Arms the hedging timer. A custom clock whose timer throws is counted as a timer failure, as the cluster's own
    /// timer's is, and the run goes on without the timer (the next arming tries again): a clock's failure must not
    /// cancel the attempts in flight nor replace their result.
    /// </summary>
    private void ArmTimer(TimeSpan delay)
    {
        try
        {
            ArmTimerCore(delay);
        }
#pragma warning disable CA1031 // The clock's failure is counted and logged; the attempts in flight still decide the run.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Cluster.State.Failures.Report(CallbackKind.Timer, ex);
        }
    }

    private void ArmTimerCore(TimeSpan delay)
    {
        if (_timer is null)
        {
            // Stryker disable once Block : emptied, a timer is created that never fires; the next ArmTimer re-arms it as it would have created one, and FinishAsync disposes it
            if (delay == Timeout.InfiniteTimeSpan)
            {
                // Stryker disable once Statement : without it a timer is created that never fires; the next ArmTimer re-arms it as it would have created one, and FinishAsync disposes it
                return;
            }

            bool restoreFlow = false;
            try
            {
                if (!ExecutionContext.IsFlowSuppressed())
                {
                    ExecutionContext.SuppressFlow();
                    restoreFlow = true;
                }

                _timer = Cluster.State.Clock.TimeProvider.CreateTimer(static s => ((HedgedRun<TState, TResult>)s!).OnDelayPassed(), this, delay, Timeout.InfiniteTimeSpan);
            }
            finally
            {
                if (restoreFlow)
                {
                    ExecutionContext.RestoreFlow();
                }
            }

            // Stryker disable once Statement : without it the timer just created is re-armed at once with the same delay, which changes nothing
            return;
        }

        _timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private void OnDelayPassed()
    {
        lock (_gate)
        {
            _timerDue = true;
        }

        Signal();
    }

    /// <summary>Cancels the attempts still in flight and waits for them to end; then lets their sources go.</summary>
    private async ValueTask FinishAsync()
    {
        try
        {
            _timer?.Dispose();
        }
#pragma warning disable CA1031 // A custom clock's timer that fails as it is disposed: counted; the attempts are still cancelled and awaited.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Cluster.State.Failures.Report(CallbackKind.Timer, ex);
        }

        foreach (HedgedAttempt<TState, TResult> attempt in _running)
        {
            attempt.Cancellation.Cancel();
        }

        while (true)
        {
            _running.RemoveAll(static a => a.HasEnded);
            if (_running.Count == 0)
            {
                break;
            }

            await WaitAsync().ConfigureAwait(false);
        }

        foreach (AttemptCancellation cancellation in _cancellations)
        {
            cancellation.Return();
        }
    }
}
