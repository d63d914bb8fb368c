namespace ClusterRouting;

/// <summary>
/// The cancellation of one attempt of a hedged run: a source linked to the caller's token, so that the run can cancel
/// an attempt that lost without cancelling the caller. Each thread keeps one for reuse (<see cref="LeaseThread.Cancellation"/>),
/// so a run whose first attempt completes synchronously allocates none (on .NET 8 and later, which can reset a source).
/// </summary>
/// <remarks>
/// The kept source is reached through the attempt's lease, whose token belongs to the thread that selected it, so
/// renting and returning read no thread-static. It stays kept while an attempt holds it: a run that starts meanwhile on
/// the same thread (a hedge, or a run inside the operation) gets a new source, which the thread keeps from then on.
/// </remarks>
internal sealed class AttemptCancellation : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private CancellationTokenRegistration _link;

    // Set by Return once the source is reset, on whatever thread the attempt ended; read by the keeping thread, which
    // rents the source again only then.
    private bool _free;

    public CancellationToken Token => _source.Token;

    public bool IsCancellationRequested => _source.IsCancellationRequested;

    /// <summary>A source for one attempt, cancelled when <paramref name="caller"/> is.</summary>
    /// <param name="thread">The calling thread's state, which keeps the source: the owner of the lease the attempt runs with.</param>
    /// <param name="caller">The caller's token.</param>
    public static AttemptCancellation Rent(LeaseThread thread, CancellationToken caller)
    {
        AttemptCancellation? cancellation = thread.Cancellation;
        if (cancellation is not null && Volatile.Read(ref cancellation._free))
        {
            cancellation._free = false;
        }
        else
        {
            thread.Cancellation = cancellation = new AttemptCancellation();
        }

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
    /// The attempt ended and nothing will cancel it any more: the source is free for the keeping thread's next attempt
    /// when it can be reset (it was not cancelled), otherwise dropped.
    /// </summary>
    public void Return()
    {
        _link.Dispose();
        _link = default;
#if NET
        if (_source.TryReset())
        {
            Volatile.Write(ref _free, true);
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
