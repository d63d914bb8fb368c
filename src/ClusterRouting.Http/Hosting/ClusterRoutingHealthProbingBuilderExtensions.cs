using ClusterRouting;
using ClusterRouting.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds active health probing of the members of the clusters registered with <c>AddClusterRouting</c>.</summary>
public static class ClusterRoutingHealthProbingBuilderExtensions
{
    /// <summary>
    /// Probes, from a hosted service, the health endpoint of every member that has an address (by default every
    /// cluster's; see <see cref="HealthProbingOptions.Clusters"/>) and reports what each answers with
    /// <see cref="IClusterSelector.ReportProbe"/>: load and version from each answer, offline after
    /// <see cref="HealthProbingOptions.UnhealthyThreshold"/> failures in a row, restored by the next answer. A member
    /// that says it is over its CPU or memory threshold gets no new work until a probe says otherwise. Probes are sent
    /// by the <see cref="IHttpClientFactory"/> client named <see cref="HealthProbingOptions.HttpClientName"/>.
    /// </summary>
    /// <param name="builder">The builder from <c>AddClusterRouting</c>.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    public static IClusterRoutingBuilder AddHealthProbing(this IClusterRoutingBuilder builder) => AddHealthProbing(builder, static _ => { });

    /// <summary>Adds active health probing, configured in code. See <see cref="AddHealthProbing(IClusterRoutingBuilder)"/>.</summary>
    /// <param name="builder">The builder from <c>AddClusterRouting</c>.</param>
    /// <param name="configure">Sets the probing options; validated at start.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IClusterRoutingBuilder AddHealthProbing(this IClusterRoutingBuilder builder, Action<HealthProbingOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Register(builder).Configure(configure);
        return builder;
    }

    /// <summary>Adds active health probing, bound from a configuration section (Path, Interval, UnhealthyInterval, Timeout, UnhealthyThreshold, Jitter, Clusters).</summary>
    /// <param name="builder">The builder from <c>AddClusterRouting</c>.</param>
    /// <param name="section">The section to bind; validated at start.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="section"/> is <see langword="null"/>.</exception>
    public static IClusterRoutingBuilder AddHealthProbing(this IClusterRoutingBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        Register(builder).Bind(section);
        return builder;
    }

    private static OptionsBuilder<HealthProbingOptions> Register(IClusterRoutingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        IServiceCollection services = builder.Services;
        services.AddHttpClient(HealthProbingOptions.HttpClientName, static client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HealthProbingOptions>, HealthProbingOptionsValidator>());
        services.TryAddSingleton<HealthProbingService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, HealthProbingService>(static sp => sp.GetRequiredService<HealthProbingService>()));
        return services.AddOptions<HealthProbingOptions>().ValidateOnStart();
    }
}
