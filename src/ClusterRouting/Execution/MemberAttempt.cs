namespace ClusterRouting;

/// <summary>One failed attempt of a run with failover.</summary>
public sealed class MemberAttempt
{
    /// <summary>Initializes a new instance of the <see cref="MemberAttempt"/> class.</summary>
    /// <param name="memberId">The member the attempt ran on.</param>
    /// <param name="outcome">Why the run moved on.</param>
    /// <param name="exception">The exception the attempt ended with.</param>
    public MemberAttempt(string memberId, AttemptOutcome outcome, Exception exception)
    {
        Guard.NotNull(memberId);
        Guard.NotNull(exception);
        MemberId = memberId;
        Outcome = outcome;
        Exception = exception;
    }

    /// <summary>Gets the member the attempt ran on.</summary>
    public string MemberId { get; }

    /// <summary>Gets why the run moved on.</summary>
    public AttemptOutcome Outcome { get; }

    /// <summary>Gets the exception the attempt ended with.</summary>
    public Exception Exception { get; }

    /// <inheritdoc />
    public override string ToString() => $"{MemberId}: {Outcome} ({Exception.GetType().Name}: {Exception.Message})";
}
