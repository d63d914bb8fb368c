namespace ClusterRouting;

/// <summary>
/// What an attempt's exception says about its member, recorded with the cluster the same way by a run with failover
/// and by a hedged attempt: a <see cref="MemberRefusedException"/> is a refusal, an offline exception (a
/// <see cref="MemberOfflineException"/>, or one the cluster's predicate calls offline) penalizes the member, anything
/// else is the operation's own error.
/// </summary>
internal static class AttemptOutcomes
{
    /// <summary>Records a failed attempt's outcome with the cluster and returns it: refused, offline or error.</summary>
    /// <param name="cluster">The cluster the attempt ran in.</param>
    /// <param name="member">The member the attempt ran on.</param>
    /// <param name="error">The exception the attempt ended with.</param>
    /// <param name="cancellationToken">The caller's token: a cancellation it asked for is never an offline member.</param>
    public static AttemptEnd Record(ClusterSelector cluster, MemberState member, Exception error, CancellationToken cancellationToken)
    {
        if (error is MemberRefusedException refused)
        {
            cluster.Reports.Refusal(member, refused.Limit, refused.RetryAfter);
            return AttemptEnd.Refused;
        }

        if (IsOffline(cluster, error, cancellationToken))
        {
            cluster.Reports.Offline(member);
            return AttemptEnd.Offline;
        }

        return AttemptEnd.Error;
    }

    /// <summary>
    /// Lists an attempt that ended offline or refused in <paramref name="attempts"/> (the entries of
    /// <see cref="AllMembersFailedException.Attempts"/>, created with the first) and returns <see langword="true"/>;
    /// returns <see langword="false"/> for the operation's own error, which ends the run instead.
    /// </summary>
    public static bool TryAdd(ref List<MemberAttempt>? attempts, MemberState member, AttemptEnd end, Exception error)
    {
        if (end is not (AttemptEnd.Offline or AttemptEnd.Refused))
        {
            return false;
        }

        (attempts ??= new()).Add(new(member.Id, end == AttemptEnd.Offline ? AttemptOutcome.Offline : AttemptOutcome.Refused, error));
        return true;
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
