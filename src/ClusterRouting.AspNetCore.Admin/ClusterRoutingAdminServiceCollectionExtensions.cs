using System.Diagnostics.Metrics;
using ClusterRouting;
using ClusterRouting.Admin;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ClusterRouting's operators' console.</summary>
public static class ClusterRoutingAdminServiceCollectionExtensions
{
    /// <summary>
    /// Adds the services of the operators' console (mapped with <c>MapClusterRoutingAdmin</c>): its options, the
    /// antiforgery services its page uses, and the listener that counts what routing did over the last minute on the
    /// ClusterRouting meter of the container's <see cref="IMeterFactory"/>.
    /// </summary>
    /// <param name="services">The service collection; the clusters are registered with <c>AddClusterRouting</c>.</param>
    /// <param name="configure">Names the authorization policies (<see cref="ClusterRoutingAdminOptions.ChangePolicy"/> is required).</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddClusterRoutingAdmin(this IServiceCollection services, Action<ClusterRoutingAdminOptions> configure)
    {
        // Stryker disable once Statement : AddOptions, below, throws the same ArgumentNullException for services
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ClusterRoutingAdminOptions>().Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterRoutingAdminOptions>, AdminOptionsValidator>());
        services.AddAntiforgery();
        services.PostConfigure<AntiforgeryOptions>(static options => options.HeaderName ??= AdminDefaults.AntiforgeryHeaderName);
        services.TryAddSingleton(static sp => new RoutingActivity(sp.GetService<IMeterFactory>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddSingleton(static sp => new ClusterDirectory(sp.GetRequiredService<IClusterSelectorProvider>()));
        services.TryAddSingleton(static sp => new ClusterReader(sp.GetRequiredService<ClusterDirectory>(), sp.GetRequiredService<RoutingActivity>(), sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddSingleton<ClusterChanges>();
        services.TryAddSingleton<ChangeGuard>();
        services.TryAddSingleton(static sp => new EventStream(
            sp.GetRequiredService<ClusterReader>(),
            sp.GetRequiredService<IOptions<ClusterRoutingAdminOptions>>(),
            sp.GetRequiredService<Hosting.IHostApplicationLifetime>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddSingleton<PageAssets>();
        return services;
    }
}
