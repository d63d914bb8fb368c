namespace ClusterRouting;

/// <summary>
/// The cancellation of one attempt of a hedged run: a source linked to the caller's token, so that the run can cancel
/// an attempt that lost without cancelling the caller. One per thread is kept for reuse, so a run whose first attempt
/// completes synchronously allocates none (on .NET 8 and later, which can reset a source).
/// </summary>
internal sealed class AttemptCancellation : IDisposable
{
    [ThreadStatic]
    private static AttemptCancellation? t_cached;

    private readonly CancellationTokenSource _source = new();
    private CancellationTokenRegistration _link;

    public CancellationToken Token => _source.Token;

    public bool IsCancellationRequested => _source.IsCancellationRequested;

    /// <summary>A source for one attempt, cancelled when <paramref name="caller"/> is.</summary>
    public static AttemptCancellation Rent(CancellationToken caller)
    {
        AttemptCancellation cancellation = t_cached ?? new AttemptCancellation();
        t_cached = null;
        if (caller.CanBeCanceled)
        {
#if NET
            cancellation._link = caller.UnsafeRegister(static s => ((AttemptCancellation)s!).Cancel(), cancellation);
#else
            cancellation._link = caller.Register(static s => ((AttemptCancellation)s!).Cancel(), cancellation);
#endif
        }

        return cancellation;
    }

    /// <summary>Cancels the attempt. What the operation registered on its token runs here; a callback that throws is not the run's concern.</summary>
    public void Cancel()
    {
        try
        {
            _source.Cancel();
        }
#pragma warning disable CA1031 // The operation's own cancellation callbacks failed: the attempt still ends, and its outcome says how.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>
    /// The attempt ended and nothing will cancel it any more: the source is kept for the thread's next run when it can
    /// be reset (it was not cancelled), otherwise dropped.
    /// </summary>
    public void Return()
    {
        _link.Dispose();
        _link = default;
#if NET
        if (_source.TryReset())
        {
            t_cached = this;
            return;
        }
#endif
        _source.Dispose();
    }

    /// <summary>Lets the source go without keeping it.</summary>
    /// <remarks>Every attempt ends with <see cref="Return"/>; this is for an owner that will not return it (CA1001).</remarks>
    // Stryker disable once Statement,Block : nothing in the library calls Dispose (every attempt ends with Return), so no test can see what it does
    public void Dispose()
    {
        _link.Dispose();
        _source.Dispose();
    }
}
