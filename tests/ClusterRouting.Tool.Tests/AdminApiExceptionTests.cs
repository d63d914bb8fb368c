using System.Net;
using ClusterRouting.Admin.Contract;

namespace ClusterRouting.Tool.Tests;

/// <summary>The API's error as an exception: its message, its status and the exit code that status maps to.</summary>
public sealed class AdminApiExceptionTests
{
    [Fact]
    public void WithProblemDetails_TheMessageIsTheirTitleAndDetail()
    {
        var ex = new AdminApiException(HttpStatusCode.Conflict, new Problem("urn:x", "Conflict", 409, "Not now."), "{}");

        Assert.Equal("Conflict: Not now.", ex.Message);
        Assert.Equal(HttpStatusCode.Conflict, ex.Status);
        Assert.Equal(ExitCodes.Rejected, ex.ExitCode);
    }

    [Fact]
    public void WithoutProblemDetails_TheMessageIsTheStatus()
    {
        var ex = new AdminApiException(HttpStatusCode.BadGateway, null, null);

        Assert.Equal("The API answered 502 BadGateway.", ex.Message);
        Assert.Equal(ExitCodes.ServerError, ex.ExitCode);
    }

    [Fact]
    public void ARedirect_KeepsItsStatus()
    {
        var ex = new AdminApiException(HttpStatusCode.Found, new Uri("/login", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Found, ex.Status);
        Assert.StartsWith("The API answered 302 Found, a redirect to /login: ", ex.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, ex.ExitCode);
    }
}
