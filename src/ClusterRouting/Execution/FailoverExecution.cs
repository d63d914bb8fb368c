using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>
/// Runs an operation on a selected member and, when the member proves offline or refuses, on the next candidate (or,
/// for primary-only work, on the primary alone), reporting each attempt's outcome to the cluster. With hedging on, an
/// attempt that does not complete synchronously hands the run to <see cref="HedgedRun{TState, TResult}"/>.
/// </summary>
internal static class FailoverExecution
{
#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    public static async ValueTask<TResult> ExecuteAsync<TState, TResult>(
        ClusterSelector cluster,
        TState state,
        Func<TState, MemberLease, CancellationToken, ValueTask<TResult>> operation,
        bool primaryOnly,
        CancellationToken cancellationToken)
    {
        // Allocated only once an attempt fails (or a listener traces the run), so a first-attempt success allocates nothing.
        MemberSlots[]? tried = null;
        int triedCount = 0;
        List<MemberAttempt>? attempts = null;
        HedgingSettings hedging = cluster.State.Settings.Hedging;
        bool hedge = hedging.IsOn && !primaryOnly;
        Activity? run = ExecutionTracing.StartRun(cluster.ClusterName, primaryOnly);
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                MemberLease lease;
                SelectionFailure failure;
                bool selected = primaryOnly ? cluster.TrySelectPrimary(out lease, out failure)
                    : tried is null ? cluster.TrySelect(default(NoFilter), out lease, out failure)
                    : cluster.TrySelect(new ExcludeTried(tried, triedCount), out lease, out failure);
                if (!selected)
                {
                    Exception error = attempts is null ? failure.ToException() : new AllMembersFailedException(cluster.ClusterName, attempts);
                    ExecutionTracing.Failed(run, error, attempts is null ? failure : default);
                    throw error;
                }

                MemberState member = lease.Member!;
                Activity? attempt = ExecutionTracing.StartAttempt(run, member.Id, triedCount + 1);
                ClusterState core = cluster.State;
                long started = core.Metrics.DurationEnabled ? core.Clock.TimeProvider.GetTimestamp() : 0;
                string outcome = "error";
                string? errorType = null;

                // With hedging on, the attempt gets a token of its own (reused by the thread while attempts complete
                // synchronously), so that a hedge that wins can cancel it.
                AttemptCancellation? cancellation = hedge ? AttemptCancellation.Rent(cancellationToken) : null;
                ValueTask<TResult> pending = default;
                bool handedOver = false;
                try
                {
                    pending = operation(state, lease, cancellation?.Token ?? cancellationToken);
                    if (cancellation is not null && !pending.IsCompleted)
                    {
                        // No result yet: the hedged run takes over the attempt, its lease, its span and its token.
                        handedOver = true;
                    }
                    else
                    {
                        TResult result = await pending.ConfigureAwait(false);
                        outcome = "success";
                        cluster.Reports.Success(member);
                        return result;
                    }
                }
                catch (MemberRefusedException refused)
                {
                    outcome = errorType = "refused";
                    cluster.Reports.Refusal(member, refused.Limit, refused.RetryAfter);
                    (attempts ??= new()).Add(new MemberAttempt(member.Id, AttemptOutcome.Refused, refused));
                }
                catch (Exception ex) when (IsOffline(cluster, ex, cancellationToken))
                {
                    outcome = errorType = "offline";
                    cluster.Reports.Offline(member);
                    (attempts ??= new()).Add(new MemberAttempt(member.Id, AttemptOutcome.Offline, ex));
                }
                catch (Exception ex)
                {
                    errorType = ex.GetType().FullName;
                    throw;
                }
                finally
                {
                    if (!handedOver)
                    {
                        cancellation?.Return();
                        lease.Dispose();
                        if (started != 0)
                        {
                            core.Metrics.RecordDuration(member.Id, outcome, errorType, core.Clock.TimeProvider.GetElapsedTime(started));
                        }

                        ExecutionTracing.EndAttempt(attempt, outcome, errorType);
                    }
                }

                if (handedOver)
                {
                    var hedged = new HedgedRun<TState, TResult>(cluster, state, operation, hedging, run, tried, triedCount, attempts, cancellationToken);
                    return await hedged.RunAsync(lease, cancellation!, attempt, started, pending).ConfigureAwait(false);
                }

                if (primaryOnly)
                {
                    // The primary was the only member that could take it: the run ends with this attempt.
                    var error = new AllMembersFailedException(cluster.ClusterName, attempts!);
                    ExecutionTracing.Failed(run, error, default);
                    throw error;
                }

                tried ??= new MemberSlots[Math.Max(cluster.MemberCount, 4)];

                // Stryker disable once Equality : with != the array doubles whenever it is not full, so it is never full when written: only more memory
                if (triedCount == tried.Length)
                {
                    Array.Resize(ref tried, tried.Length * 2);
                }

                tried[triedCount++] = member.Slots;
            }
        }
        finally
        {
            run?.Dispose();
        }
    }

    internal static bool IsOffline(ClusterSelector cluster, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        if (exception is MemberOfflineException)
        {
            return true;
        }

        Func<Exception, bool>? classifier = cluster.IsOfflineException;
        if (classifier is null)
        {
            return false;
        }

        try
        {
            return classifier(exception);
        }
#pragma warning disable CA1031 // A failing classifier must not hide the operation's own exception, which propagates.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            cluster.State.Failures.Report(CallbackKind.OfflinePredicate, ex);
            return false;
        }
    }
}
