using System.Diagnostics.CodeAnalysis;
using ClusterRouting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ClusterRouting's clusters in a service collection.</summary>
public static class ClusterRoutingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the ClusterRouting services: <see cref="IClusterSelectorProvider"/>, and for each cluster added through the
    /// returned builder, a keyed <see cref="IClusterSelector"/> and <see cref="IClusterAdministration"/> under its name.
    /// Clusters use the <see cref="TimeProvider"/>, <see cref="RandomSource"/>, logger factory and meter factory
    /// registered in the container, when there are.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to add clusters with.</returns>
    public static IClusterRoutingBuilder AddClusterRouting(this IServiceCollection services)
    {
        Guard.NotNull(services);
        services.AddOptions();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidator>());
        services.TryAddSingleton<ClusterRegistry>(static sp => new ClusterRegistry(sp));
        services.TryAddSingleton<IClusterSelectorProvider>(static sp => sp.GetRequiredService<ClusterRegistry>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterRoutingStartupValidation>, ClusterRoutingStartupValidation.Validator>());
        services.AddOptions<ClusterRoutingStartupValidation>().ValidateOnStart();
        return new ClusterRoutingBuilder(services);
    }

    /// <summary>
    /// Adds the ClusterRouting services and one cluster per child section of <paramref name="configuration"/>, named
    /// after the section's key. The throttling keys are the gateway's: CPUUtilizationPercentageThreshold,
    /// MemoryUtilizationPercentageThreshold, ResourceUtilizationAggregationTimeInMinutes,
    /// ConcurrentOperationLimitPreview, BypassConcurrentOperationLimit.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section whose children are the clusters, for example <c>Configuration.GetSection("ClusterRouting")</c>.</param>
    /// <returns>A builder to add more clusters or throttle policies with.</returns>
    public static IClusterRoutingBuilder AddClusterRouting(this IServiceCollection services, IConfiguration configuration)
    {
        Guard.NotNull(configuration);
        IClusterRoutingBuilder builder = services.AddClusterRouting();
        services.AddSingleton(new ClusterRoutingConfigurationRoot(configuration));
        foreach (IConfigurationSection section in configuration.GetChildren())
        {
            builder.AddCluster(section.Key, section);
        }

        return builder;
    }

    /// <summary>Adds a cluster configured in code.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The cluster's name.</param>
    /// <param name="configure">Sets the cluster's options.</param>
    /// <returns>The builder.</returns>
    public static IClusterRoutingBuilder AddCluster(this IClusterRoutingBuilder builder, string name, Action<ClusterOptions> configure)
    {
        Guard.NotNull(configure);
        Register(builder, name).Configure(configure);
        return builder;
    }

    /// <summary>Adds a cluster bound to a configuration section (reloaded when the configuration changes).</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="name">The cluster's name.</param>
    /// <param name="section">The cluster's section: Mode, Members, the gateway's throttling keys and the penalty settings.</param>
    /// <param name="configure">Sets what configuration can't, such as <see cref="ClusterOptions.IsOfflineException"/>; applied after binding.</param>
    /// <returns>The builder.</returns>
    public static IClusterRoutingBuilder AddCluster(this IClusterRoutingBuilder builder, string name, IConfiguration section, Action<ClusterOptions>? configure = null)
    {
        Guard.NotNull(section);

        // Bound by the configuration binder's source generator: trim- and AOT-safe (see the project file).
        OptionsBuilder<ClusterOptions> options = Register(builder, name).Bind(section);
        if (configure is not null)
        {
            options.PostConfigure(configure);
        }

        return builder;
    }

    /// <summary>Adds a throttle policy, resolved from the container (registered as a singleton if it is not already), to a cluster.</summary>
    /// <typeparam name="TPolicy">The policy's type.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="clusterName">The cluster the policy applies to.</param>
    /// <returns>The builder.</returns>
    public static IClusterRoutingBuilder AddThrottlePolicy<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TPolicy>(this IClusterRoutingBuilder builder, string clusterName)
        where TPolicy : ThrottlePolicy
    {
        Guard.NotNull(builder);
        Guard.NotNullOrWhiteSpace(clusterName);
        builder.Services.TryAddSingleton<TPolicy>();
        builder.Services.AddSingleton(new ThrottlePolicyRegistration(clusterName, typeof(TPolicy)));
        builder.Services.AddOptions<ClusterOptions>(clusterName).Configure<TPolicy>(static (options, policy) => options.ThrottlePolicies.Add(policy));
        return builder;
    }

    private static OptionsBuilder<ClusterOptions> Register(IClusterRoutingBuilder builder, string name)
    {
        Guard.NotNull(builder);
        Guard.NotNullOrWhiteSpace(name);
        IServiceCollection services = builder.Services;
        if (services.Any(d => d.ServiceType == typeof(ClusterRegistration) && d.ImplementationInstance is ClusterRegistration r && string.Equals(r.Name, name, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"A cluster named '{name}' is already registered.", nameof(name));
        }

        services.AddSingleton(new ClusterRegistration(name));
        services.AddKeyedSingleton<IClusterSelector>(name, static (sp, key) => sp.GetRequiredService<ClusterRegistry>().Resolve((string)key!));
        services.AddKeyedSingleton<IClusterAdministration>(name, static (sp, key) => sp.GetRequiredService<ClusterRegistry>().Resolve((string)key!));
        return services.AddOptions<ClusterOptions>(name);
    }

    private sealed class ClusterRoutingBuilder(IServiceCollection services) : IClusterRoutingBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
