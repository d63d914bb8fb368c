namespace ClusterRouting.Soak.Tests.Load;

/// <summary>
/// What a caller of the soak does with a failed request, and so what counts as lost. A request is retried only when
/// the router says no member could take it now: <see cref="ClusterThrottledException"/> and
/// <see cref="NoMemberAvailableException"/> (no member could be selected) and <see cref="AllMembersFailedException"/>
/// (every member tried was offline or refused). It waits what the failure says (its <c>RetryAfter</c>, or the soonest
/// <c>RetryAfter</c> among the members' rejections or refusals), at least <see cref="MinWait"/>, at most
/// <see cref="MaxWait"/>, <see cref="DefaultWait"/> when the failure names none; and it tries at most
/// <see cref="MaxTries"/> times within <see cref="Budget"/>. Anything else (another exception, an answer that is not
/// the member's, running out of tries or time) is a lost request.
/// </summary>
internal static class RetryRule
{
    public const int MaxTries = 100;
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MinWait = TimeSpan.FromMilliseconds(20);
    public static readonly TimeSpan DefaultWait = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait: the soak's longest refusal cool-down. A longer hint (an offline penalty's end) is cut to it, since a probe may restore the member sooner.</summary>
    public static readonly TimeSpan MaxWait = SoakSettings.MaxRefusalCoolDown;

    /// <summary>Whether the failure may be retried, and after how long.</summary>
    public static bool IsRetryable(Exception exception, out TimeSpan wait)
    {
        TimeSpan? hint;
        switch (exception)
        {
            case ClusterThrottledException throttled:
                hint = throttled.RetryAfter;
                break;
            case NoMemberAvailableException none:
                hint = null;
                foreach (MemberRejection rejection in none.Rejections)
                {
                    hint = Soonest(hint, rejection.RetryAfter);
                }

                break;
            case AllMembersFailedException failed:
                hint = null;
                foreach (MemberAttempt attempt in failed.Attempts)
                {
                    if (attempt.Exception is MemberRefusedException refused)
                    {
                        hint = Soonest(hint, refused.RetryAfter);
                    }
                }

                break;
            default:
                wait = TimeSpan.Zero;
                return false;
        }

        TimeSpan chosen = hint ?? DefaultWait;
        wait = chosen < MinWait ? MinWait : chosen > MaxWait ? MaxWait : chosen;
        return true;
    }

    private static TimeSpan? Soonest(TimeSpan? a, TimeSpan? b) => a is null ? b : b is null ? a : a < b ? a : b;
}
