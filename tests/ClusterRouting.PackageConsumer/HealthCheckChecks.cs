// Exercises the packed ClusterRouting.HealthChecks package through the real health check service.
using ClusterRouting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

internal static class HealthCheckChecks
{
    public static async Task RunAsync(Action<bool, string> check)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddClusterRouting().AddCluster("refresh", options =>
        {
            options.Members.Add(new ClusterMemberOptions("gw-1"));
            options.Members.Add(new ClusterMemberOptions("gw-2"));
        });
        services.AddHealthChecks().AddClusterRouting();
        await using ServiceProvider provider = services.BuildServiceProvider();
        var health = provider.GetRequiredService<HealthCheckService>();
        IClusterAdministration refresh = provider.GetRequiredService<IClusterSelectorProvider>().GetAdministration("refresh");

        HealthReport report = await health.CheckHealthAsync();
        check(report.Entries["cluster_routing.refresh"].Status == HealthStatus.Healthy, "health: every member ready is Healthy");

        refresh.SetMemberEnabled("gw-1", false);
        report = await health.CheckHealthAsync();
        HealthReportEntry entry = report.Entries["cluster_routing.refresh"];
        check(entry.Status == HealthStatus.Degraded && entry.Description == "Cluster 'refresh': 1 of 2 members can take work; gw-1 disabled.", "health: a disabled member is Degraded, named");

        refresh.SetMemberEnabled("gw-2", false);
        report = await health.CheckHealthAsync();
        check(report.Status == HealthStatus.Unhealthy, "health: no member ready is Unhealthy");
    }
}
