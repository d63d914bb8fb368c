namespace ClusterRouting;

/// <summary>
/// Defaults of hedging. Off unless hedged attempts are allowed (<c>MaxHedgedAttempts</c> 0): a hedge doubles the work
/// a slow operation costs, and a refresh that runs for minutes must not start twice by default. The delay is Polly's
/// and Microsoft.Extensions.Http.Resilience's default (2 s), so turning hedging on with one attempt (their default
/// count) behaves as theirs do. At most 9 hedges: each goes to a member the run has not tried, and a cluster has at
/// most 10.
/// </summary>
internal static class HedgingDefaults
{
    public const int MaxHedgedAttempts = 0;

    public const int MaxHedgedAttemptsLimit = ClusterLimits.MaxMembers - 1;

    public static readonly TimeSpan Delay = TimeSpan.FromSeconds(2);
}
