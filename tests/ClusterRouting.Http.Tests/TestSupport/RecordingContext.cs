namespace ClusterRouting.Http.Tests.TestSupport;

/// <summary>
/// The SynchronizationContext of a caller that has one (a UI thread, a classic ASP.NET request): it counts what is
/// posted or sent to it, and runs it on the pool so that nothing waits for it. Library code that awaits with
/// ConfigureAwait(false) gives it nothing; an await that captures it posts its continuation to it.
/// </summary>
internal sealed class RecordingContext : SynchronizationContext
{
    private int _calls;

    /// <summary>Gets how many callbacks were posted or sent to this context.</summary>
    public int Calls => Volatile.Read(ref _calls);

    public override void Post(SendOrPostCallback d, object? state)
    {
        Interlocked.Increment(ref _calls);
        ThreadPool.QueueUserWorkItem(s => d(s), state);
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        Interlocked.Increment(ref _calls);
        d(state);
    }

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>
    /// Starts an operation on this thread with this context current, as a caller on the context would, then opens
    /// <paramref name="gate"/> from outside the context (the operation waits there, so its awaits cannot complete at
    /// once) and returns the operation's result.
    /// </summary>
    public async Task<T> RunAsync<T>(Gate gate, Func<Task<T>> start)
    {
        Task<T> operation = Start(start);
        Assert.False(operation.IsCompleted, "The operation should wait for the gate.");
        gate.Open();
        return await operation.WaitAsync(Members.Timeout);
    }

    /// <inheritdoc cref="RunAsync{T}(Gate, Func{Task{T}})"/>
    public async Task RunAsync(Gate gate, Func<Task> start)
    {
        Task operation = Start(start);
        Assert.False(operation.IsCompleted, "The operation should wait for the gate.");
        gate.Open();
        await operation.WaitAsync(Members.Timeout);
    }

    /// <summary>Calls <paramref name="start"/> with this context current on this thread, and puts the previous one back.</summary>
    public T Start<T>(Func<T> start)
    {
        SynchronizationContext? previous = Current;
        SetSynchronizationContext(this);
        try
        {
            return start();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}
