using ClusterRouting;
using ClusterRouting.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds ClusterRouting's handler to an HTTP client of IHttpClientFactory.</summary>
public static class ClusterRoutingHttpClientBuilderExtensions
{
    /// <summary>
    /// Routes the client's requests to the members of the cluster named <paramref name="clusterName"/>, registered with
    /// <c>AddClusterRouting</c>. Requests address the cluster by name (<c>http://refresh/query</c>, or a
    /// <see cref="HttpClient.BaseAddress"/> of <c>http://refresh/</c>); see <see cref="ClusterRoutingHandler"/>.
    /// </summary>
    /// <remarks>
    /// Handlers added before this one run outside it, once per request; those added after it run once per attempt on
    /// a member. Add the standard resilience handler before it (for the whole request's timeout and retries), and
    /// ClusterRouting inside. The handler takes the container's <see cref="ILoggerFactory"/> and <see cref="TimeProvider"/>
    /// when there are.
    /// </remarks>
    /// <param name="builder">The HTTP client's builder.</param>
    /// <param name="clusterName">The cluster's name, as registered.</param>
    /// <param name="configure">Sets the handler's options (named after the HTTP client); validated when the handler is created.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="clusterName"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="clusterName"/> is empty or whitespace.</exception>
    public static IHttpClientBuilder AddClusterRouting(this IHttpClientBuilder builder, string clusterName, Action<ClusterRoutingHandlerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        string clientName = builder.Name;
        OptionsBuilder<ClusterRoutingHandlerOptions> options = builder.Services.AddOptions<ClusterRoutingHandlerOptions>(clientName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterRoutingHandlerOptions>, ClusterRoutingHandlerOptionsValidator>());
        return builder.AddHttpMessageHandler(services =>
        {
            IClusterSelector cluster = services.GetRequiredService<IClusterSelectorProvider>().GetCluster(clusterName);
            ClusterRoutingHandlerOptions handlerOptions = services.GetRequiredService<IOptionsMonitor<ClusterRoutingHandlerOptions>>().Get(clientName);
            ILogger? logger = services.GetService<ILoggerFactory>()?.CreateLogger<ClusterRoutingHandler>();
            return new ClusterRoutingHandler(cluster, handlerOptions, logger, services.GetService<TimeProvider>());
        });
    }
}
