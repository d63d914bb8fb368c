using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ClusterRouting;

/// <summary>Registers ClusterRouting's health checks with <see cref="IHealthChecksBuilder"/>.</summary>
public static class ClusterRoutingHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check of the cluster registered under <paramref name="clusterName"/> (with <c>AddClusterRouting</c>):
    /// Healthy when every member can take work as configured, Degraded when some members are offline, probing,
    /// throttled, at their concurrency limit or disabled, <paramref name="failureStatus"/> when none can take work or
    /// the cluster is not registered. The result's data holds the mode, the member count, how many can take work, and
    /// each member's state under <c>member:</c> and its id.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="clusterName">The cluster's registered name.</param>
    /// <param name="name">The check's name; <c>cluster_routing.</c> and the cluster's name when omitted.</param>
    /// <param name="failureStatus">The status reported when no member can take work; <see cref="HealthStatus.Unhealthy"/> when omitted.</param>
    /// <param name="tags">Tags for filtering the check (for example by a readiness endpoint).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="clusterName"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="clusterName"/> is empty or white space.</exception>
    public static IHealthChecksBuilder AddClusterRouting(
        this IHealthChecksBuilder builder,
        string clusterName,
        string? name = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ThrowIfNull(builder, nameof(builder));
        ThrowIfNullOrWhiteSpace(clusterName, nameof(clusterName));
        return builder.Add(new HealthCheckRegistration(
            name ?? CheckName(clusterName),
            services => new ClusterHealthCheck(services.GetRequiredService<IClusterSelectorProvider>(), clusterName, removedIsHealthy: false),
            failureStatus,
            tags));
    }

    /// <summary>
    /// Adds one health check per registered cluster, each named <c>cluster_routing.</c> and the cluster's name, that
    /// reports <see cref="HealthStatus.Unhealthy"/> when no member can take work. See
    /// <see cref="AddClusterRouting(IHealthChecksBuilder, HealthStatus?, IEnumerable{string}?)"/>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHealthChecksBuilder AddClusterRouting(this IHealthChecksBuilder builder) => AddClusterRouting(builder, failureStatus: null, tags: null);

    /// <summary>
    /// Adds one health check per registered cluster, each named <c>cluster_routing.</c> and the cluster's name and
    /// judged as <see cref="AddClusterRouting(IHealthChecksBuilder, string, string?, HealthStatus?, IEnumerable{string}?)"/>
    /// says. The clusters are those registered when the health check service first runs; a cluster removed at runtime
    /// reports Healthy, saying it is no longer registered.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="failureStatus">The status reported when no member of a cluster can take work; <see cref="HealthStatus.Unhealthy"/> when <see langword="null"/>.</param>
    /// <param name="tags">Tags for filtering the checks, or <see langword="null"/>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IHealthChecksBuilder AddClusterRouting(this IHealthChecksBuilder builder, HealthStatus? failureStatus, IEnumerable<string>? tags)
    {
        ThrowIfNull(builder, nameof(builder));
        // A copy, taken now; null is no tags (HealthCheckRegistration's own rule).
        string[]? tagList = tags?.ToArray();
        builder.Services.AddSingleton<IConfigureOptions<HealthCheckServiceOptions>>(services => new ConfigureOptions<HealthCheckServiceOptions>(options =>
        {
            var provider = services.GetRequiredService<IClusterSelectorProvider>();
            foreach (string clusterName in provider.ClusterNames)
            {
                options.Registrations.Add(new HealthCheckRegistration(
                    CheckName(clusterName),
                    _ => new ClusterHealthCheck(provider, clusterName, removedIsHealthy: true),
                    failureStatus,
                    tagList));
            }
        }));
        return builder;
    }

    private static string CheckName(string clusterName) => "cluster_routing." + clusterName;

    private static void ThrowIfNull(object? argument, string paramName)
    {
        if (argument is null)
        {
            throw new ArgumentNullException(paramName);
        }
    }

    private static void ThrowIfNullOrWhiteSpace(string? argument, string paramName)
    {
        ThrowIfNull(argument, paramName);
        if (string.IsNullOrWhiteSpace(argument))
        {
            throw new ArgumentException("The value cannot be empty or white space.", paramName);
        }
    }
}
