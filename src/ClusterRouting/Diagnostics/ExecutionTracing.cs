using System.Diagnostics;
using System.Runtime.CompilerServices;
using T = ClusterRouting.ClusterRoutingTelemetry;

namespace ClusterRouting;

/// <summary>
/// The spans of <c>ExecuteAsync</c>: one per run (<see cref="ClusterRoutingTelemetry.ExecuteActivityName"/>) and one per attempt
/// (<see cref="ClusterRoutingTelemetry.AttemptActivityName"/>), on the <see cref="ClusterRoutingTelemetry.ActivitySourceName"/> source. With no
/// listener each entry point is one flag read and allocates nothing; the rest is out of line.
/// </summary>
internal static class ExecutionTracing
{
    private static readonly ActivitySource s_source = new(T.ActivitySourceName, ClusterRoutingInstruments.Version);

    /// <summary>Starts the run's span, or returns <see langword="null"/> when nothing listens.</summary>
    public static Activity? StartRun(string clusterName, bool primaryOnly) =>
        s_source.HasListeners() ? StartRunCore(clusterName, primaryOnly) : null;

    /// <summary>Starts an attempt's span under <paramref name="run"/>; <see langword="null"/> when the run is not traced.</summary>
    public static Activity? StartAttempt(Activity? run, string memberId, int number, bool hedge = false) =>
        run is null ? null : StartAttemptCore(run, memberId, number, hedge);

    /// <summary>Ends an attempt's span with how it went.</summary>
    public static void EndAttempt(Activity? attempt, string outcome, string? errorType)
    {
        if (attempt is not null)
        {
            EndAttemptCore(attempt, outcome, errorType);
        }
    }

    /// <summary>Marks the run failed: no member could take the operation (<paramref name="failure"/> says why), or every attempt failed.</summary>
    public static void Failed(Activity? run, Exception error, SelectionFailure failure)
    {
        if (run is not null)
        {
            FailedCore(run, error, failure);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Activity? StartRunCore(string clusterName, bool primaryOnly)
    {
        Activity? run = s_source.StartActivity(T.ExecuteActivityName, ActivityKind.Internal);
        run?.SetTag(T.ClusterTag, clusterName);
        if (primaryOnly)
        {
            run?.SetTag(T.PrimaryOnlyTag, true);
        }

        return run;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Activity? StartAttemptCore(Activity run, string memberId, int number, bool hedge)
    {
        Activity? attempt = s_source.StartActivity(T.AttemptActivityName, ActivityKind.Internal, run.Context);
        if (attempt is not null)
        {
            attempt.SetTag(T.ClusterTag, run.GetTagItem(T.ClusterTag));
            attempt.SetTag(T.MemberTag, memberId);
            attempt.SetTag(T.AttemptNumberTag, number);
            attempt.SetTag(T.FailoverTag, number > 1 && !hedge);
            if (hedge)
            {
                attempt.SetTag(T.HedgeTag, true);
            }
        }

        return attempt;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void EndAttemptCore(Activity attempt, string outcome, string? errorType)
    {
        attempt.SetTag(T.AttemptOutcomeTag, outcome);
        if (errorType is not null)
        {
            attempt.SetTag(T.ErrorTypeTag, errorType);
            attempt.SetStatus(ActivityStatusCode.Error, outcome);
        }

        attempt.Dispose();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void FailedCore(Activity run, Exception error, SelectionFailure failure)
    {
        string errorType = error is AllMembersFailedException ? "all_members_failed" : failure.IsThrottled ? "throttled" : "unavailable";
        run.SetTag(T.ErrorTypeTag, errorType);
        if (failure.IsFailure && failure.IsThrottled)
        {
            run.SetTag(T.LimitTag, ThrottleLimits.TagOf(failure.HeadlineLimit));
        }

        run.SetStatus(ActivityStatusCode.Error, error.Message);
    }
}
