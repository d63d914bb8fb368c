using System.Collections.Concurrent;

namespace ClusterRouting.Http.Tests.TestSupport;

/// <summary>
/// Runs an async function with every continuation on one dedicated thread, so that code which depends on the thread
/// it runs on (the cluster's per-thread round-robin cursor) behaves as it would on one thread.
/// </summary>
internal sealed class SingleThreadContext : SynchronizationContext, IDisposable
{
    private readonly BlockingCollection<(SendOrPostCallback Callback, object? State)> _queue = new();

    public override void Post(SendOrPostCallback d, object? state)
    {
        if (!_queue.TryAdd((d, state)))
        {
            // The body has finished: a late continuation runs on the pool.
            ThreadPool.QueueUserWorkItem(s => d(s), state);
        }
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();

    public void Dispose() => _queue.Dispose();

    public static Task RunAsync(Func<Task> body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            using var context = new SingleThreadContext();
            SetSynchronizationContext(context);
            Task task = body();
            task.ContinueWith(_ => context._queue.CompleteAdding(), TaskScheduler.Default);
            foreach ((SendOrPostCallback callback, object? state) in context._queue.GetConsumingEnumerable())
            {
                callback(state);
            }

            if (task.IsFaulted)
            {
                done.SetException(task.Exception!.InnerExceptions);
            }
            else if (task.IsCanceled)
            {
                done.SetCanceled();
            }
            else
            {
                done.SetResult();
            }
        })
        { IsBackground = true, Name = "SingleThreadContext" };
        thread.Start();
        return done.Task;
    }
}
