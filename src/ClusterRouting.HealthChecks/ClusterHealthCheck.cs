using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ClusterRouting;

/// <summary>The health check of one cluster, resolved by name from the provider each time it runs (the cluster may be removed).</summary>
internal sealed class ClusterHealthCheck(IClusterSelectorProvider provider, string clusterName, bool removedIsHealthy) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        HealthStatus failureStatus = context?.Registration.FailureStatus ?? HealthStatus.Unhealthy;
        if (!provider.ClusterNames.Contains(clusterName))
        {
            // Removed at runtime (or never registered): a check for every cluster drops it; one that names it fails.
            string description = $"No cluster named '{clusterName}' is registered.";
            return Task.FromResult(removedIsHealthy ? HealthCheckResult.Healthy(description) : new HealthCheckResult(failureStatus, description));
        }

        try
        {
            return Task.FromResult(ClusterHealth.Evaluate(provider.GetCluster(clusterName).GetStatus(), failureStatus));
        }
        catch (OptionsValidationException ex)
        {
            // Its options are invalid: each failure already names the cluster and the field.
            return Task.FromResult(new HealthCheckResult(failureStatus, ex.Message, ex));
        }
        catch (Exception ex) when (ex is ObjectDisposedException or ArgumentException or InvalidOperationException)
        {
            // Removed between the two reads, or a configuration value the binder cannot convert: say which.
            return Task.FromResult(new HealthCheckResult(failureStatus, $"Cluster '{clusterName}': {ex.Message}", ex));
        }
    }
}
