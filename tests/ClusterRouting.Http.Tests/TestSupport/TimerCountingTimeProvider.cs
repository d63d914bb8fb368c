using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Http.Tests.TestSupport;

/// <summary>
/// A fake clock that counts the timers created on it: a loop that waits on it (a Task.Delay, a timeout) has armed its
/// timer once the count went up, so a test can advance the clock knowing what is due, without waiting on real time.
/// </summary>
internal sealed class TimerCountingTimeProvider : FakeTimeProvider
{
    private int _timers;

    public int TimersCreated => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        return timer;
    }

    /// <summary>Waits until <paramref name="count"/> timers have been created, then advances the clock by <paramref name="delta"/>.</summary>
    public async Task AdvanceOnceArmedAsync(int count, TimeSpan delta)
    {
        await Members.WaitUntilAsync(() => TimersCreated >= count, $"{count} timers are armed");
        Advance(delta);
    }
}
