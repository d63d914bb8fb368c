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
            var telemetry = AttemptTelemetry.Start(cluster.State, run, member.Id, tried.Count + 1);

            // With hedging on, the attempt gets a token of its own (reused by the thread while attempts complete
            // synchronously), so that a hedge that wins can cancel it.
            AttemptCancellation? cancellation = hedge ? AttemptCancellation.Rent(cancellationToken) : null;
            ValueTask<TResult> pending = default;
            bool handedOver = false;
            AttemptEnd end = AttemptEnd.Error;
            Exception? error = null;
            try
            {
                pending = operation(state, lease, cancellation?.Token ?? cancellationToken);

                // No result yet while hedging: the hedged run takes over the attempt, its lease, its span and its token.
                handedOver = cancellation is not null && !pending.IsCompleted;
                if (!handedOver)
                {
                    TResult result = await pending.ConfigureAwait(false);
                    end = AttemptEnd.Success;
                    cluster.Reports.Success(member);
                    return result;
                }
            }
            catch (Exception ex)
            {
                error = ex;
                end = AttemptOutcomes.Record(cluster, member, ex, cancellationToken);
                if (end == AttemptEnd.Error)
                {
                    throw;
                }

                (attempts ??= new()).Add(AttemptOutcomes.ToAttempt(member, end, ex));
            }
            finally
            {
                if (!handedOver)
                {
                    cancellation?.Return();
                    lease.Dispose();
                    telemetry.End(cluster.State, member.Id, end, error);
                }
            }

            if (handedOver)
            {
                var hedged = new HedgedRun<TState, TResult>(cluster, state, operation, hedging, run, tried, attempts, cancellationToken);
                return await hedged.RunAsync(lease, cancellation!, telemetry, pending).ConfigureAwait(false);
            }

            if (primaryOnly)
            {
                // The primary was the only member that could take it: the run ends with this attempt.
                throw Failed(cluster, run, default, attempts);
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

    private static bool TrySelectNext(ClusterSelector cluster, bool primaryOnly, in TriedMembers tried, out MemberLease lease, out SelectionFailure failure) =>
        primaryOnly ? cluster.TrySelectPrimary(out lease, out failure)
        : tried.Count == 0 ? cluster.TrySelect(default(NoFilter), out lease, out failure)
        : cluster.TrySelect(tried.Exclude(), out lease, out failure);
}
