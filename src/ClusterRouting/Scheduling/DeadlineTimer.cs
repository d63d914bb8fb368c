namespace ClusterRouting;

/// <summary>
/// The one timer of a cluster: it fires at the earliest moment a member's state can change without new data (a
/// cool-down, a penalty or a policy's retry-after ends, samples leave the window).
/// </summary>
/// <remarks>
/// <para>
/// As YARP's <c>EntityActionScheduler</c>: the timer is created with the flow of <see cref="ExecutionContext"/>
/// suppressed, so it captures no caller's <see cref="AsyncLocal{T}"/> values or <c>Activity.Current</c>; it holds its
/// target weakly, so an armed timer does not keep a dropped cluster alive; it is disposable; and its callback never
/// lets an exception escape onto the timer thread.
/// </para>
/// <para>
/// With <see cref="TimeProvider.System"/> the timer is a <see cref="Timer"/> of its own, not one from
/// <see cref="TimeProvider.CreateTimer"/>: a <see cref="Timer"/> that nothing references any more is released when
/// it is collected, so a cluster dropped without <see cref="IDisposable.Dispose"/> leaves no timer queued for weeks.
/// </para>
/// </remarks>
internal sealed class DeadlineTimer : IDisposable
{
    /// <summary>The shortest wait armed: a deadline is always in the future when armed, and no timer fires re-entrantly.</summary>
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(1);

    private static readonly TimerCallback s_onTimer = OnTimer;

    private readonly TimeProvider _timeProvider;
    private readonly Action _onDue;
    private readonly Action<Exception> _onFailure;
    private ITimer? _timer;
    private TimeSpan? _due;
    private volatile bool _fired;
    private bool _disposed;

    /// <param name="timeProvider">Creates the timer.</param>
    /// <param name="onDue">Called on the timer's thread when the deadline is due; it re-arms the timer.</param>
    /// <param name="onFailure">Called with what <paramref name="onDue"/> or the provider's timer threw.</param>
    public DeadlineTimer(TimeProvider timeProvider, Action onDue, Action<Exception> onFailure)
    {
        _timeProvider = timeProvider;
        _onDue = onDue;
        _onFailure = onFailure;
    }

    /// <summary>Gets the deadline the timer is armed for, on the cluster's clock. Read under the owner's lock.</summary>
    public TimeSpan? Due => _due;

    /// <summary>Arms the timer for <paramref name="due"/> (or disarms it for <see langword="null"/>). Called under the owner's lock.</summary>
    /// <param name="due">The deadline, on the cluster's clock.</param>
    /// <param name="now">The cluster's clock now.</param>
    public void Arm_NeedsLock(TimeSpan? due, TimeSpan now)
    {
        // A timer that fired is no longer armed, even for the same deadline (it may have fired a little early).
        if (_disposed || (due == _due && !_fired))
        {
            return;
        }

        _fired = false;
        _due = due;
        try
        {
            if (due is not TimeSpan at)
            {
                _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                return;
            }

            var wait = TimeSpan.FromTicks(Math.Min(Math.Max((at - now).Ticks, MinimumWait.Ticks), TimeMath.MaxTimerWait.Ticks));
            if (_timer is null)
            {
                _timer = Create(wait);
            }
            else
            {
                _timer.Change(wait, Timeout.InfiniteTimeSpan);
            }
        }
#pragma warning disable CA1031 // A custom provider's timer that throws must not fail the change that armed it: the next change tries again.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _due = null;
            _onFailure(ex);
        }
    }

    /// <summary>Stops the timer for good. Called under the owner's lock.</summary>
    public void Dispose()
    {
        _disposed = true;
        _due = null;
        _timer?.Dispose();
        _timer = null;
    }

    private static void OnTimer(object? state)
    {
        if (state is WeakReference<DeadlineTimer> reference && reference.TryGetTarget(out DeadlineTimer? timer))
        {
            timer.Fire();
        }
    }

    private void Fire()
    {
        _fired = true;
        try
        {
            _onDue();
        }
#pragma warning disable CA1031 // Nothing may escape onto a timer thread: it would end the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            try
            {
                _onFailure(ex);
            }
#pragma warning disable CA1031
            catch (Exception)
#pragma warning restore CA1031
            {
                // The failure handler itself failed; there is nowhere left to report to.
            }
        }
    }

    private ITimer Create(TimeSpan wait)
    {
        var target = new WeakReference<DeadlineTimer>(this);
        bool restoreFlow = false;
        try
        {
            if (!ExecutionContext.IsFlowSuppressed())
            {
                ExecutionContext.SuppressFlow();
                restoreFlow = true;
            }

#if NET
            if (ReferenceEquals(_timeProvider, TimeProvider.System))
            {
                return new Timer(s_onTimer, target, wait, Timeout.InfiniteTimeSpan);
            }
#endif
            return _timeProvider.CreateTimer(s_onTimer, target, wait, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            if (restoreFlow)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }
}
