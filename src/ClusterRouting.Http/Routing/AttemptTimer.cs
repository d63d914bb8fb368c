namespace ClusterRouting.Http;

/// <summary>The token of one attempt with a timeout: canceled when the timeout elapses on the handler's clock or the caller cancels.</summary>
internal sealed class AttemptTimer : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;

    public AttemptTimer(TimeSpan timeout, TimeProvider timeProvider, CancellationToken callerToken)
    {
        _timeout = new CancellationTokenSource(timeout, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(callerToken, _timeout.Token);
    }

    public CancellationToken Token => _linked.Token;

    /// <summary>Gets a value indicating whether the timeout elapsed.</summary>
    public bool TimedOut => _timeout.IsCancellationRequested;

    public void Dispose()
    {
        _linked.Dispose();
        _timeout.Dispose();
    }
}
