namespace ClusterRouting.Http;

/// <summary>What an exception from sending a request to a member says about the member.</summary>
internal enum AttemptFailure
{
    /// <summary>Not the member's failure (the request's own, or a client-side limit): it propagates unchanged.</summary>
    None = 0,

    /// <summary>The member could not be reached: the connection was never established, so the request never got there.</summary>
    NeverReached = 1,

    /// <summary>The member failed after the connection was established (reset, premature end, garbled answer, attempt timeout): it may have received the request.</summary>
    Offline = 2,
}
