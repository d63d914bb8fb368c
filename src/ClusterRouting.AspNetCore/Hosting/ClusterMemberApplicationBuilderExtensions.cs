using ClusterRouting.AspNetCore;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the member's limits to an ASP.NET Core pipeline.</summary>
public static class ClusterMemberApplicationBuilderExtensions
{
    /// <summary>
    /// Enforces the member's limits on every request that reaches this point of the pipeline: a request that arrives
    /// while the member is at or over its CPU, memory or concurrency limit is answered with 503, a Retry-After header (in
    /// seconds), a <c>ClusterRouting-Limit</c> header (<c>cpu</c>, <c>memory</c> or <c>concurrency</c>) and an
    /// application/problem+json body whose "detail" is the gateway's documented sentence; any other request is counted
    /// in flight until the rest of the pipeline has finished with it. Endpoints marked with
    /// <see cref="ClusterMemberEndpointRouteBuilderExtensions.DisableClusterMemberLimits{TBuilder}(TBuilder)"/> (the
    /// health endpoint) pass unlimited: place this after routing (WebApplication routes first unless told otherwise).
    /// Before routing, only the health endpoint (by its path) is recognized.
    /// Requires <see cref="ClusterMemberServiceCollectionExtensions.AddClusterMember(IServiceCollection, Action{ClusterRouting.AspNetCore.MemberLimitsOptions})"/>.
    /// </summary>
    /// <param name="app">The application builder.</param>
    /// <returns>The application builder.</returns>
    /// <exception cref="InvalidOperationException">The member's services are not registered.</exception>
    public static IApplicationBuilder UseClusterMemberLimits(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        MemberLimiter limiter = app.ApplicationServices.GetService<MemberLimiter>()
            ?? throw new InvalidOperationException("The cluster member's services are not registered: call services.AddClusterMember(...) first.");
        RefusalResponses refusals = app.ApplicationServices.GetRequiredService<RefusalResponses>();
        return app.Use(next => new MemberLimitsMiddleware(next, limiter, refusals).InvokeAsync);
    }
}
