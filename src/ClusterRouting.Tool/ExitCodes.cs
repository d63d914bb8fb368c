namespace ClusterRouting.Tool;

/// <summary>The tool's exit codes: what a script can rely on.</summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>Something the tool did not expect: an answer it cannot read, or a bug.</summary>
    public const int Failure = 1;

    /// <summary>The command line is wrong: an unknown command or option, a missing argument, no or a bad --url.</summary>
    public const int Usage = 2;

    /// <summary>No such cluster or member (404).</summary>
    public const int NotFound = 3;

    /// <summary>The API refused the credentials (401) or the caller may not do this (403).</summary>
    public const int NotAllowed = 4;

    /// <summary>The API refused the request as invalid (400, 409, 413, 415): for example a mode that does not exist.</summary>
    public const int Rejected = 5;

    /// <summary>The API could not be reached: the connection failed or timed out.</summary>
    public const int Unreachable = 6;

    /// <summary>The API failed (5xx).</summary>
    public const int ServerError = 7;

    /// <summary>Interrupted (Ctrl+C, SIGINT) before the API answered, as shells report it.</summary>
    public const int Interrupted = 130;
}
