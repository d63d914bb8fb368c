using System.Net;
using ClusterRouting.Admin.Contract;

namespace ClusterRouting.Tool;

/// <summary>The API answered with an error: its status, and its problem details when it sent any.</summary>
internal sealed class AdminApiException : Exception
{
    public AdminApiException(HttpStatusCode status, Problem? problem, string? body)
        : base(problem is null ? $"The API answered {(int)status} {status}." : $"{problem.Title}: {problem.Detail}")
    {
        Status = status;
        Problem = problem;
        Body = body;
    }

    public AdminApiException(HttpStatusCode status, Uri? location)
        : base($"The API answered {(int)status} {status}, a redirect to {location?.ToString() ?? "nowhere"}: is --url the console's address, and does the application answer scripts with 401 instead of a sign-in page?")
    {
        Status = status;
    }

    public HttpStatusCode Status { get; }

    public Problem? Problem { get; }

    /// <summary>The error's body as the API sent it, for <c>--json</c>.</summary>
    public string? Body { get; }

    public int ExitCode => (int)Status switch
    {
        404 => ExitCodes.NotFound,
        401 or 403 => ExitCodes.NotAllowed,
        400 or 409 or 413 or 415 or 422 => ExitCodes.Rejected,
        >= 500 => ExitCodes.ServerError,
        _ => ExitCodes.Failure,
    };
}
