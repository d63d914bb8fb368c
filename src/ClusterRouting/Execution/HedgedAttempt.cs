namespace ClusterRouting;

/// <summary>
/// One attempt of a hedged run: its lease, its cancellation and its span. When the operation ends (on whatever thread
/// completes it) the attempt records its outcome with the cluster as a run with failover does (a success restores
/// the member, an offline result penalizes it, a refusal is recorded), releases its lease, then tells the run.
/// </summary>
internal sealed class HedgedAttempt<TState, TResult>
{
    private readonly HedgedRun<TState, TResult> _run;
    private readonly Action _onCompleted;
    private readonly AttemptTelemetry _telemetry;
    private ValueTask<TResult> _pending;
    private int _end;

    public HedgedAttempt(HedgedRun<TState, TResult> run, MemberLease lease, AttemptCancellation cancellation, AttemptTelemetry telemetry)
    {
        _run = run;
        Lease = lease;
        Member = lease.Member!;
        Cancellation = cancellation;
        _telemetry = telemetry;
        _onCompleted = Complete;
    }

    public MemberLease Lease { get; }

    public MemberState Member { get; }

    public AttemptCancellation Cancellation { get; }

    /// <summary>Gets how the attempt ended; <see cref="AttemptEnd.Running"/> until it has. Read by the run once it has.</summary>
    public AttemptEnd End => (AttemptEnd)Volatile.Read(ref _end);

    public bool HasEnded => End != AttemptEnd.Running;

    /// <summary>Gets the operation's result, after a success.</summary>
    public TResult? Result { get; private set; }

    /// <summary>Gets the exception the attempt ended with, unless it succeeded.</summary>
    public Exception? Error { get; private set; }

    /// <summary>Waits for the operation the attempt started: ends now if it already completed.</summary>
    /// <remarks>
    /// A value task whose source throws when asked (one already reused, say) ends the attempt with that exception, as
    /// awaiting it does without hedging: otherwise the attempt would never end, and the run would wait for it for ever.
    /// </remarks>
    public void Listen(ValueTask<TResult> pending)
    {
        _pending = pending;
        try
        {
            if (!pending.IsCompleted)
            {
                pending.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onCompleted);
                return;
            }
        }
#pragma warning disable CA1031 // The operation's broken value task is its outcome: Finish classifies it and the run rethrows it if it decides the run.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _pending = default;
            Finish(default, ex);
            return;
        }

        Complete();
    }

    /// <summary>Ends the attempt with what the operation did: its result, or <paramref name="error"/>, or its cancellation by the run or the caller.</summary>
    public void Finish(TResult? result, Exception? error, bool cancelled = false)
    {
        ClusterSelector cluster = _run.Cluster;
        AttemptEnd end;
        try
        {
            if (cancelled || (error is OperationCanceledException && Cancellation.IsCancellationRequested))
            {
                // Cancelled by the run (another attempt won) or by the caller: nothing to say about the member.
                end = AttemptEnd.Cancelled;
            }
            else if (error is null)
            {
                end = AttemptEnd.Success;
                Result = result;
                cluster.Reports.Success(Member);
            }
            else
            {
                end = AttemptOutcomes.Record(cluster, Member, error, _run.CancellationToken);
            }
        }
#pragma warning disable CA1031 // The outcome could not be recorded (the cluster was disposed): the attempt ends with that, and the run decides.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            end = AttemptEnd.Error;
            error = ex;
        }

        Lease.Dispose();
        try
        {
            _telemetry.End(cluster.State, Member.Id, end, error);
        }
#pragma warning disable CA1031 // A listener on the attempt's span threw: as without hedging, that exception ends the run; the attempt must still say it ended, or the run waits for ever.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            end = AttemptEnd.Error;
            error = ex;
        }

        Error = error;
        Volatile.Write(ref _end, (int)end);
        _run.Signal();
    }

    private void Complete()
    {
        ValueTask<TResult> pending = _pending;
        _pending = default;
        if (pending.IsCanceled && Cancellation.IsCancellationRequested)
        {
            // Cancelled by its token, which the run or the caller cancelled: no need to throw the cancellation to learn
            // that (a loser is cancelled on every hedged run). AsTask returns a task's own task, and completes a source.
            _ = pending.AsTask();
            Finish(default, error: null, cancelled: true);
            return;
        }

        TResult? result = default;
        Exception? error = null;
        try
        {
            // Stryker disable once Boolean : the task has completed, and GetResult of a completed task ignores ConfigureAwait
            result = pending.ConfigureAwait(false).GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // The operation's exception is its outcome: Finish classifies it and the run rethrows it if it decides the run.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = ex;
        }

        Finish(result, error);
    }
}
