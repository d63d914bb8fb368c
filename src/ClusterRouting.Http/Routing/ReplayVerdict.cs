namespace ClusterRouting.Http;

/// <summary>What <see cref="ReplayRules.Decide"/> found.</summary>
internal enum ReplayVerdict
{
    /// <summary>The request may go to another member.</summary>
    Replay = 0,

    /// <summary>The body may have been consumed and cannot be sent again.</summary>
    BodyNotReplayable = 1,

    /// <summary>The member may have processed the request, and its method is not idempotent.</summary>
    MayHaveBeenProcessed = 2,
}
