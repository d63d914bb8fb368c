using ClusterRouting.Admin.Contract;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Admin;

/// <summary>
/// Protects changes against cross-site request forgery. A change sent with cookies (what a browser attaches by itself,
/// even to a request a hostile page makes) must carry the antiforgery token that the console's session issued to the
/// same user. A change sent without any cookie carries no credential a forged page could borrow (a script or the
/// command-line tool with a bearer token or API key) and needs none. Changes are PUT and DELETE only, which a page of
/// another origin cannot send without a CORS preflight, and the console's endpoints take part in no CORS policy.
/// </summary>
internal sealed class ChangeGuard(IAntiforgery antiforgery, ILogger<ChangeGuard> logger)
{
    /// <returns>The problem, or <see langword="null"/> when the change may go ahead.</returns>
    public async Task<Problem?> CheckAsync(HttpContext context)
    {
        if (context.Request.Headers.Cookie.Count == 0)
        {
            return null;
        }

        // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
        if (await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return null;
        }

        // Stryker disable once String : unreachable: a change's route never matches an empty path, so Path.Value is never null here
        Log.AntiforgeryRejected(logger, context.Request.Method, context.Request.Path.Value ?? string.Empty, AdminEndpoints.UserOf(context));
        return Problems.AntiforgeryFailed();
    }
}
