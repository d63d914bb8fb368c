namespace ClusterRouting;

/// <summary>How one attempt of a hedged run ended.</summary>
internal enum AttemptEnd
{
    /// <summary>Not yet.</summary>
    Running = 0,

    /// <summary>The operation returned its result.</summary>
    Success = 1,

    /// <summary>The member was offline: it was penalized.</summary>
    Offline = 2,

    /// <summary>The member refused: its refusal was recorded.</summary>
    Refused = 3,

    /// <summary>The operation threw its own exception (or the outcome could not be recorded).</summary>
    Error = 4,

    /// <summary>The attempt was cancelled (another attempt won, or the caller cancelled) and ended with that cancellation.</summary>
    Cancelled = 5,
}
