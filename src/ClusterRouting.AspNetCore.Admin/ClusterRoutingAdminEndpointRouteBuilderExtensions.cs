using System.Diagnostics.CodeAnalysis;
using ClusterRouting.Admin;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps ClusterRouting's operators' console into an application's endpoints.</summary>
public static class ClusterRoutingAdminEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the operators' console under <paramref name="pattern"/>: the live status page (<c>{pattern}/</c>) and the
    /// admin API (<c>{pattern}/api/...</c>): the clusters, one cluster with each member's state, the live feed, and the
    /// changes (enable or disable a member, set the mode, remove a member, remove a cluster). Reads require
    /// <see cref="ClusterRouting.ClusterRoutingAdminOptions.ReadPolicy"/> and changes <see cref="ClusterRouting.ClusterRoutingAdminOptions.ChangePolicy"/>;
    /// nothing is mapped anonymous. Changes are PUT and DELETE only; one sent with cookies must carry the antiforgery
    /// token the page's session issued.
    /// </summary>
    /// <param name="endpoints">The application's endpoints.</param>
    /// <param name="pattern">Where to map the console, for example <c>/cluster-routing</c>.</param>
    /// <returns>A builder for the console's endpoints, to add conventions to (for example <c>RequireHost</c>).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="endpoints"/> or <paramref name="pattern"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>AddClusterRoutingAdmin</c> or <c>AddAuthorization</c> was not called, or a named policy is not defined.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The console's options are invalid: no change policy is named, or the refresh interval is out of range.</exception>
    public static IEndpointConventionBuilder MapClusterRoutingAdmin(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        return AdminEndpoints.Map(endpoints, pattern);
    }
}
