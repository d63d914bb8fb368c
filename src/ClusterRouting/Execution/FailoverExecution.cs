using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>Runs an operation on a selected member and, when the member proves offline or refuses, on the next candidate.</summary>
internal static class FailoverExecution
{
#if NET
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
#endif
    public static async ValueTask<TResult> ExecuteAsync<TState, TResult>(
        ClusterSelector cluster,
        TState state,
        Func<TState, MemberLease, CancellationToken, ValueTask<TResult>> operation,
        CancellationToken cancellationToken)
    {
        // Allocated only once an attempt fails, so a first-attempt success allocates nothing.
        MemberSlots[]? tried = null;
        int triedCount = 0;
        List<MemberAttempt>? attempts = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            MemberLease lease;
            SelectionFailure failure;
            bool selected = tried is null
                ? cluster.TrySelect(default(NoFilter), out lease, out failure)
                : cluster.TrySelect(new ExcludeTried(tried, triedCount), out lease, out failure);
            if (!selected)
            {
                throw attempts is null ? failure.ToException() : new AllMembersFailedException(cluster.ClusterName, attempts);
            }

            MemberState member = lease.Member!;
            ClusterState core = cluster.State;
            long started = core.Metrics.DurationEnabled ? core.Clock.TimeProvider.GetTimestamp() : 0;
            string outcome = "error";
            try
            {
                TResult result = await operation(state, lease, cancellationToken).ConfigureAwait(false);
                outcome = "success";
                cluster.ReportSuccess(member);
                return result;
            }
            catch (MemberRefusedException refused)
            {
                outcome = "refused";
                cluster.ReportRefusal(member, refused.Limit, refused.RetryAfter);
                (attempts ??= new()).Add(new MemberAttempt(member.Id, AttemptOutcome.Refused, refused));
            }
            catch (Exception ex) when (IsOffline(cluster, ex, cancellationToken))
            {
                outcome = "offline";
                cluster.ReportOffline(member);
                (attempts ??= new()).Add(new MemberAttempt(member.Id, AttemptOutcome.Offline, ex));
            }
            finally
            {
                lease.Dispose();
                if (started != 0)
                {
                    core.Metrics.RecordDuration(member.Id, outcome, core.Clock.TimeProvider.GetElapsedTime(started));
                }
            }

            tried ??= new MemberSlots[Math.Max(cluster.MemberCount, 4)];
            if (triedCount == tried.Length)
            {
                Array.Resize(ref tried, tried.Length * 2);
            }

            tried[triedCount++] = member.Slots;
        }
    }

    private static bool IsOffline(ClusterSelector cluster, Exception exception, CancellationToken cancellationToken)
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
