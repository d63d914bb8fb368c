using System.Diagnostics.CodeAnalysis;
using ClusterRouting.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the member's health endpoint and exempts endpoints from the member's limits.</summary>
public static class ClusterMemberEndpointRouteBuilderExtensions
{
    private const string DefaultHealthPattern = ClusterRouting.ClusterMemberProtocol.DefaultHealthPath;

    /// <summary>
    /// Maps a GET endpoint that answers with the member's health as JSON: <c>id</c>, <c>version</c>, <c>online</c>
    /// (true), <c>cpuPercent</c> and <c>memoryPercent</c> (the averages over the window, null with no sample in it),
    /// <c>inFlight</c>, <c>limits</c> (the thresholds, the window, the concurrency limit or null when bypassed) and
    /// <c>overLimit</c> (<c>cpu</c>, <c>memory</c>, <c>concurrency</c> or null). It is never throttled and not counted
    /// in flight.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The route.</param>
    /// <returns>A builder to customize the endpoint with.</returns>
    /// <exception cref="InvalidOperationException">The member's services are not registered.</exception>
    public static IEndpointConventionBuilder MapClusterMemberHealth(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern = DefaultHealthPattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        MemberLimiter limiter = endpoints.ServiceProvider.GetService<MemberLimiter>()
            ?? throw new InvalidOperationException("The cluster member's services are not registered: call services.AddClusterMember(...) first.");
        limiter.AddHealthPath(pattern);
        return endpoints.MapGet(pattern, context => MemberHealthEndpoint.WriteAsync(context, limiter))
            .WithDisplayName("Cluster member health")
            .DisableClusterMemberLimits();
    }

    /// <summary>Exempts the endpoints from the member's limits: their requests are never refused and not counted in flight.</summary>
    /// <typeparam name="TBuilder">The endpoint convention builder's type.</typeparam>
    /// <param name="builder">The endpoints.</param>
    /// <returns>The builder.</returns>
    public static TBuilder DisableClusterMemberLimits<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(static endpoint => endpoint.Metadata.Add(DisableMemberLimitsMetadata.Instance));
        return builder;
    }
}
