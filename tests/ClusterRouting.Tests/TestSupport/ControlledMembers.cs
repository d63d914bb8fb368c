using System.Collections.Concurrent;

namespace ClusterRouting.Tests.TestSupport;

/// <summary>
/// An operation whose attempts the test completes one by one: each attempt waits on a task of its own (per member)
/// until the test makes it succeed or fail, or its token is cancelled. Attempts that <see cref="Instant"/> names
/// complete synchronously.
/// </summary>
internal sealed class ControlledMembers
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<string>> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _started = new();

    /// <summary>Gets or sets members whose attempts succeed at once, synchronously.</summary>
    public HashSet<string> Instant { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets members whose attempts ignore their cancellation (they end only when the test ends them).</summary>
    public HashSet<string> IgnoreCancellation { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets a value indicating whether what awaits an attempt runs inline when it ends (by default it runs on the thread pool).</summary>
    public bool EndInline { get; init; }

    /// <summary>Gets the members attempts started on, in order.</summary>
    public string[] Started => _started.ToArray();

    /// <summary>Gets the members whose attempt saw its token cancelled.</summary>
    public ConcurrentBag<string> Cancelled { get; } = new();

    public ValueTask<string> Run(MemberLease lease, CancellationToken cancellationToken)
    {
        string id = lease.MemberId;
        _started.Enqueue(id);
        if (Instant.Contains(id))
        {
            return new ValueTask<string>(id);
        }

        var attempt = new TaskCompletionSource<string>(EndInline ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = attempt;
        cancellationToken.Register(() =>
        {
            Cancelled.Add(id);
            if (!IgnoreCancellation.Contains(id))
            {
                attempt.TrySetCanceled(cancellationToken);
            }
        });
        return new ValueTask<string>(attempt.Task);
    }

    public void Succeed(string id) => _pending[id].SetResult(id);

    public void Fail(string id, Exception error) => _pending[id].SetException(error);

    /// <summary>Waits (up to 10 s) until <paramref name="count"/> attempts have started.</summary>
    public async Task WaitForStartsAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (_started.Count < count)
        {
            await Task.Delay(1, timeout.Token);
        }
    }

    /// <summary>Gives a hedge the timer could have started a chance to start (it starts on the thread pool), and returns how many attempts started.</summary>
    public async Task<int> SettleAsync()
    {
        await Task.Delay(50);
        return _started.Count;
    }
}
