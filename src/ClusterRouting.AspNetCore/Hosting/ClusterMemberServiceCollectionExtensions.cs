using ClusterRouting.AspNetCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the member's side of a ClusterRouting cluster: its limits, its measurement and its health.</summary>
public static class ClusterMemberServiceCollectionExtensions
{
    /// <summary>
    /// Adds the member's limits with settings from code: the options (validated at start), the default
    /// <see cref="IMemberUtilizationSource"/> unless one is registered, and the sampler that measures the member once
    /// per <see cref="MemberLimitsOptions.SamplingInterval"/> from the host's start. Use
    /// <c>app.UseClusterMemberLimits()</c> to enforce the limits and <c>app.MapClusterMemberHealth()</c> for the health
    /// endpoint. The <see cref="TimeProvider"/> registered in the container is used when there is one.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the member's options.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddClusterMember(this IServiceCollection services, Action<MemberLimitsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddClusterMember();
        services.Configure(configure);
        return services;
    }

    /// <summary>
    /// Adds the member's limits with the default settings (or settings configured elsewhere for
    /// <see cref="MemberLimitsOptions"/>). See <see cref="AddClusterMember(IServiceCollection, Action{MemberLimitsOptions})"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddClusterMember(this IServiceCollection services)
    {
        // Stryker disable once Statement : AddOptions, next, throws the same ArgumentNullException for services
        ArgumentNullException.ThrowIfNull(services);
        // Stryker disable once Statement : nothing seen changes without it: AddMetrics registers the options services too, and the sampler (a hosted service) validates the options when the host starts
        services.AddOptions<MemberLimitsOptions>().ValidateOnStart();
        if (services.Any(static d => d.ServiceType == typeof(MemberLimiter)))
        {
            return services;
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MemberLimitsOptions>, MemberLimitsOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<IMemberUtilizationSource>(static _ => new ProcessUtilizationSource());
        services.TryAddSingleton(static sp => new MemberMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton(static sp => new MemberLimiter(
            sp.GetRequiredService<IOptions<MemberLimitsOptions>>().Value,
            LoggerOf(sp),
            sp.GetRequiredService<MemberMetrics>()));
        services.TryAddSingleton(static sp => new RefusalResponses(sp.GetRequiredService<MemberLimiter>().MemberId));
        services.TryAddSingleton(static sp => new MemberLoadSampler(
            sp.GetRequiredService<MemberLimiter>(),
            sp.GetRequiredService<IMemberUtilizationSource>(),
            sp.GetService<TimeProvider>() ?? TimeProvider.System,
            LoggerOf(sp)));
        services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<MemberLoadSampler>());
        return services;
    }

    /// <summary>
    /// Adds the member's limits with settings bound from a configuration section, for example
    /// <c>Configuration.GetSection("ClusterMember")</c>. The keys are the options' names; the throttling keys are the
    /// gateway's own: CPUUtilizationPercentageThreshold, MemoryUtilizationPercentageThreshold,
    /// ResourceUtilizationAggregationTimeInMinutes, ConcurrentOperationLimitPreview, BypassConcurrentOperationLimit.
    /// The binding is generated at build time (no reflection). See <see cref="AddClusterMember(IServiceCollection, Action{MemberLimitsOptions})"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The member's section.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddClusterMember(this IServiceCollection services, IConfiguration section)
    {
        // Stryker disable once Statement : AddOptions, below, throws the same ArgumentNullException for services
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(section);
        services.AddOptions<MemberLimitsOptions>().Bind(section);
        return services.AddClusterMember();
    }

    /// <summary>
    /// Adds the member's limits with settings bound from a configuration section, then <paramref name="configure"/>
    /// applied after binding. See <see cref="AddClusterMember(IServiceCollection, IConfiguration)"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="section">The member's section.</param>
    /// <param name="configure">Sets what the configuration does not; applied after binding.</param>
    /// <returns>The service collection.</returns>
    public static IServiceCollection AddClusterMember(this IServiceCollection services, IConfiguration section, Action<MemberLimitsOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        services.AddClusterMember(section);
        services.PostConfigure(configure);
        return services;
    }

    private static ILogger LoggerOf(IServiceProvider services) =>
        (ILogger?)services.GetService<ILoggerFactory>()?.CreateLogger("ClusterRouting.AspNetCore.ClusterMember") ?? NullLogger.Instance;
}
