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
        // Both allocated only once an attempt fails, so a first-attempt success allocates nothing.
        TriedMembers tried = default;
        List<MemberAttempt>? attempts = null;
        HedgingSettings hedging = cluster.State.Settings.Hedging;
        bool hedge = hedging.IsOn && !primaryOnly;
        using Activity? run = ExecutionTracing.StartRun(cluster.ClusterName, primaryOnly);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!TrySelectNext(cluster, primaryOnly, tried, out MemberLease lease, out SelectionFailure failure))
            {
                throw Failed(cluster, run, failure, attempts);
            }

            MemberState member = lease.Member!;
            AttemptTelemetry telemetry;
            try
            {
                telemetry = AttemptTelemetry.Start(cluster.State, run, member.Id, tried.Count + 1);
            }
            catch
            {
                // A tracer (or a custom clock) that throws as the attempt's span and duration start ends the run with its
                // exception, as one that throws as they end does. Nothing ran on the member, so nothing is recorded
                // against it, but its slot is given back first. (Inline: a helper with a catch is not inlined.)
                lease.Dispose();
                throw;
            }

            // With hedging on, the attempt gets a token of its own (reused by the thread while attempts complete
            // synchronously), so that a hedge that wins can cancel it.
            AttemptCancellation? cancellation = hedge ? AttemptCancellation.Rent(cancellationToken) : null;
            bool handedOver = false;
            AttemptEnd end = AttemptEnd.Error;
            Exception? error = null;
            try
            {
                ValueTask<TResult> pending = operation(state, lease, cancellation?.Token ?? cancellationToken);
                if (cancellation is not null && !pending.IsCompleted)
                {
                    // No result yet while hedging: the hedged run takes over the attempt, its lease, its span and its token.
                    handedOver = true;
                    return await new HedgedRun<TState, TResult>(cluster, state, operation, hedging, run, tried, attempts, cancellationToken)
                        .RunAsync(lease, cancellation, telemetry, pending).ConfigureAwait(false);
                }

                TResult result = await pending.ConfigureAwait(false);
                end = AttemptEnd.Success;
                cluster.Reports.Success(member);
                return result;
            }
            catch (Exception ex) when (!handedOver)
            {
                error = ex;
                end = AttemptOutcomes.Record(cluster, member, ex, cancellationToken);
                if (!AttemptOutcomes.TryAdd(ref attempts, member, end, ex))
                {
                    throw;
                }
            }
            finally
            {
                if (!handedOver)
                {
                    EndAttempt(cluster, lease, cancellation, telemetry, end, error);
                }
            }

            tried.Add(member.Slots, cluster.MemberCount);
        }
    }

    /// <summary>
    /// The run's end when no member can take its next attempt: the selection's own exception when nothing was tried,
    /// otherwise <see cref="AllMembersFailedException"/> listing the attempts. Traced on the run's span.
    /// </summary>
    internal static Exception Failed(ClusterSelector cluster, Activity? run, SelectionFailure failure, List<MemberAttempt>? attempts)
    {
        Exception error = attempts is null ? failure.ToException() : new AllMembersFailedException(cluster.ClusterName, attempts);
        ExecutionTracing.Failed(run, error, attempts is null ? failure : default);
        return error;
    }

    /// <summary>
    /// Takes the run's next member: a primary-only run has the primary once (after an attempt there, the selection fails
    /// with no reason of its own and the run ends with its attempts); a run with failover, a member it has not tried.
    /// </summary>
    private static bool TrySelectNext(ClusterSelector cluster, bool primaryOnly, in TriedMembers tried, out MemberLease lease, out SelectionFailure failure)
    {
        if (!primaryOnly)
        {
            return tried.Count == 0
                ? cluster.TrySelect(default(NoFilter), out lease, out failure)
                : cluster.TrySelect(tried.Exclude(), out lease, out failure);
        }

        if (tried.Count == 0)
        {
            return cluster.TrySelectPrimary(out lease, out failure);
        }

        (lease, failure) = (default, default);
        return false;
    }

    /// <summary>Ends an attempt the run did not hand over: returns its token, releases its lease and ends its span and duration.</summary>
    private static void EndAttempt(ClusterSelector cluster, in MemberLease lease, AttemptCancellation? cancellation, in AttemptTelemetry telemetry, AttemptEnd end, Exception? error)
    {
        cancellation?.Return();
        lease.Dispose();
        telemetry.End(cluster.State, lease.Member!.Id, end, error);
    }
}
