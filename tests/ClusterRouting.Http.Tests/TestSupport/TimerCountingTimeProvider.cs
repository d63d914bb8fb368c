using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Http.Tests.TestSupport;

/// <summary>
/// A fake clock that records the timers created on it (their due times, in order) and counts those disposed: a loop
/// that waits on it (a Task.Delay, a timeout) has armed its timer once it is recorded, so a test can read how long the
/// wait is, and advance the clock knowing what is due, without waiting on real time.
/// </summary>
internal sealed class TimerCountingTimeProvider : FakeTimeProvider
{
    private readonly ConcurrentQueue<TimeSpan> _dueTimes = new();
    private int _disposed;

    public int TimersCreated => _dueTimes.Count;

    public int TimersDisposed => Volatile.Read(ref _disposed);

    /// <summary>Gets the due time of each timer created, in the order they were created.</summary>
    public TimeSpan[] DueTimes => _dueTimes.ToArray();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        _dueTimes.Enqueue(dueTime);
        return new Counted(timer, this);
    }

    /// <summary>Waits until <paramref name="count"/> timers have been created.</summary>
    public Task ArmedAsync(int count) => Members.WaitUntilAsync(() => TimersCreated >= count, $"{count} timers are armed");

    /// <summary>Waits until <paramref name="count"/> timers have been created, then advances the clock by <paramref name="delta"/>.</summary>
    public async Task AdvanceOnceArmedAsync(int count, TimeSpan delta)
    {
        await ArmedAsync(count);
        Advance(delta);
    }

    private sealed class Counted(ITimer inner, TimerCountingTimeProvider owner) : ITimer
    {
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Increment(ref owner._disposed);
            }

            inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
