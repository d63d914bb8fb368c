using System.Diagnostics;
using System.Runtime.CompilerServices;

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
    private readonly Activity? _span;
    private readonly long _started;
    private ConfiguredValueTaskAwaitable<TResult>.ConfiguredValueTaskAwaiter _awaiter;
    private int _end;

    public HedgedAttempt(HedgedRun<TState, TResult> run, MemberLease lease, AttemptCancellation cancellation, Activity? span, long started)
    {
        _run = run;
        Lease = lease;
        Member = lease.Member!;
        Cancellation = cancellation;
        _span = span;
        _started = started;
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
    public void Listen(ValueTask<TResult> pending)
    {
        _awaiter = pending.ConfigureAwait(false).GetAwaiter();
        if (_awaiter.IsCompleted)
        {
            Complete();
        }
        else
        {
            _awaiter.UnsafeOnCompleted(_onCompleted);
        }
    }

    /// <summary>Ends the attempt with what the operation did: its result, or <paramref name="error"/>.</summary>
    public void Finish(TResult? result, Exception? error)
    {
        ClusterSelector cluster = _run.Cluster;
        AttemptEnd end;
        string outcome;
        string? errorType = null;
        try
        {
            if (error is null)
            {
                end = AttemptEnd.Success;
                outcome = "success";
                Result = result;
                cluster.ReportSuccess(Member);
            }
            else if (error is OperationCanceledException && Cancellation.IsCancellationRequested)
            {
                // Cancelled by the run (another attempt won) or by the caller: nothing to say about the member.
                end = AttemptEnd.Cancelled;
                outcome = "cancelled";
            }
            else if (error is MemberRefusedException refused)
            {
                end = AttemptEnd.Refused;
                outcome = errorType = "refused";
                cluster.ReportRefusal(Member, refused.Limit, refused.RetryAfter);
            }
            else if (FailoverExecution.IsOffline(cluster, error, _run.CancellationToken))
            {
                end = AttemptEnd.Offline;
                outcome = errorType = "offline";
                cluster.ReportOffline(Member);
            }
            else
            {
                end = AttemptEnd.Error;
                outcome = "error";
                errorType = error.GetType().FullName;
            }
        }
#pragma warning disable CA1031 // The outcome could not be recorded (the cluster was disposed): the attempt ends with that, and the run decides.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            end = AttemptEnd.Error;
            outcome = "error";
            errorType = ex.GetType().FullName;
            error = ex;
        }

        Error = error;
        Lease.Dispose();
        ClusterState core = cluster.State;
        if (_started != 0)
        {
            core.Metrics.RecordDuration(Member.Id, outcome, errorType, core.Clock.TimeProvider.GetElapsedTime(_started));
        }

        ExecutionTracing.EndAttempt(_span, outcome, errorType);
        Volatile.Write(ref _end, (int)end);
        _run.Signal();
    }

    private void Complete()
    {
        TResult? result = default;
        Exception? error = null;
        try
        {
            result = _awaiter.GetResult();
        }
#pragma warning disable CA1031 // The operation's exception is its outcome: Finish classifies it and the run rethrows it if it decides the run.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error = ex;
        }

        _awaiter = default;
        Finish(result, error);
    }
}
