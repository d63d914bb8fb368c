namespace ClusterRouting;

/// <summary>
/// Throw this from an operation run by <see cref="ClusterSelector.ExecuteAsync{TResult}(Func{MemberLease, CancellationToken, ValueTask{TResult}}, CancellationToken)"/>
/// when the member refused the operation for one of its own limits (the gateway answers "... it's exceeded the CPU
/// limit set by your gateway admin ..."). The cluster routes around the member for its refusal cool-down, without an
/// offline penalty, and runs the operation on the next candidate.
/// </summary>
public sealed class MemberRefusedException : ClusterRoutingException
{
    /// <summary>Initializes a new instance of the <see cref="MemberRefusedException"/> class for a concurrency refusal.</summary>
    public MemberRefusedException()
        : this(ThrottleLimitKind.Concurrency)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="MemberRefusedException"/> class with a message, for a concurrency refusal.</summary>
    /// <param name="message">The message that describes the error.</param>
    public MemberRefusedException(string message)
        : base(message)
    {
        Limit = ThrottleLimitKind.Concurrency;
    }

    /// <summary>Initializes a new instance of the <see cref="MemberRefusedException"/> class with a message and an inner exception, for a concurrency refusal.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The member's answer, as an exception.</param>
    public MemberRefusedException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Limit = ThrottleLimitKind.Concurrency;
    }

    /// <summary>Initializes a new instance of the <see cref="MemberRefusedException"/> class.</summary>
    /// <param name="limit">The limit the member refused for: CPU, memory or concurrency.</param>
    /// <param name="retryAfter">How long the member asked callers to wait, if it said; otherwise the cluster's cool-down applies.</param>
    /// <param name="innerException">The member's answer, as an exception.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not CPU, memory or concurrency, or <paramref name="retryAfter"/> is not greater than zero.</exception>
    public MemberRefusedException(ThrottleLimitKind limit, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(ThrottleLimits.MessageFor(limit, policyName: null), innerException)
    {
        if (!ThrottleLimits.IsRefusable(limit))
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "A member refuses for its CPU, memory or concurrency limit.");
        }

        if (retryAfter <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retryAfter), retryAfter, "The retry-after must be greater than zero.");
        }

        Limit = limit;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets the limit the member refused for.</summary>
    public ThrottleLimitKind Limit { get; }

    /// <summary>Gets how long the member asked callers to wait, when it said.</summary>
    public TimeSpan? RetryAfter { get; }
}
