// Binds two clusters from appsettings.json under Native AOT and checks what was bound, by status and by behaviour.
// Exits with 1 and says what failed. Before the binder's source generator, an AOT build bound nothing and said nothing.
using ClusterRouting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

int failures = 0;

void Check(bool condition, string what)
{
    Console.WriteLine($"{(condition ? "ok  " : "FAIL")} {what}");
    failures += condition ? 0 : 1;
}

IConfigurationRoot configuration = new ConfigurationBuilder()
    .SetBasePath(AppContext.BaseDirectory)
    .AddJsonFile("appsettings.json")
    .Build();
var services = new ServiceCollection();
services.AddLogging();
services.AddClusterRouting(configuration.GetSection("ClusterRouting"));
services.AddHealthChecks().AddClusterRouting();
using ServiceProvider provider = services.BuildServiceProvider();
IClusterSelectorProvider clusters = provider.GetRequiredService<IClusterSelectorProvider>();

Check(clusters.ClusterNames.Order(StringComparer.Ordinal).SequenceEqual(["directquery", "refresh"]), "both clusters are registered");

IClusterSelector refresh = clusters.GetCluster("refresh");
ClusterStatus status = refresh.GetStatus();
Check(status.Mode == SelectionMode.Failover, "refresh: Mode Failover");
Check(status.Members.Select(m => m.Id).SequenceEqual(["refresh-gw1", "refresh-gw2", "refresh-gw3"]), "refresh: three members in order");
Check(status.Members.Select(m => m.Enabled).SequenceEqual([true, false, true]), "refresh: Enabled bound (refresh-gw2 disabled)");
Check(status.Members[0].Address == new Uri("http://10.0.0.5:8080/"), "refresh: Address bound");
Check(status.HasVersionSkew && status.Versions.Count == 2, "refresh: Version bound (two versions: skew)");
Check(status.Members.All(m => m.ConcurrencyLimit == 2), "refresh: ConcurrentOperationLimitPreview 2");

refresh.ReportUtilization("refresh-gw1", 10, 85);
Check(refresh.GetStatus().Members[0].Throttle == MemberRejectionReason.MemoryLimit, "refresh: MemoryUtilizationPercentageThreshold 80 throttles at 85");
Check(refresh.GetStatus().Members[0].ThrottleRetryAfter <= TimeSpan.FromMinutes(1), "refresh: ResourceUtilizationAggregationTimeInMinutes 1");
refresh.ReportOffline("refresh-gw3");
Check(refresh.GetStatus().Members[2].PenalizedUntil is DateTimeOffset until && until - DateTimeOffset.UtcNow <= TimeSpan.FromSeconds(9), "refresh: OfflinePenaltyBaseDuration 7 s (with jitter)");

IClusterSelector directQuery = clusters.GetCluster("directquery");
ClusterStatus dq = directQuery.GetStatus();
Check(dq.Mode == SelectionMode.RoundRobin, "directquery: Mode RoundRobin");
Check(dq.Members.Select(m => m.Id).SequenceEqual(["dq-1", "dq-2"]), "directquery: two members");
Check(dq.Members.All(m => m.ConcurrencyLimit is null), "directquery: BypassConcurrentOperationLimit removes the limit");
directQuery.ReportUtilization("dq-1", 76, 0);
Check(directQuery.GetStatus().Members[0].Throttle == MemberRejectionReason.CpuLimit, "directquery: CPUUtilizationPercentageThreshold 75 throttles at 76");

HealthReport health = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
Check(health.Entries.Keys.Order(StringComparer.Ordinal).SequenceEqual(["cluster_routing.directquery", "cluster_routing.refresh"]), "health: one check per cluster");
Check(health.Entries["cluster_routing.refresh"].Status == HealthStatus.Unhealthy, "health: refresh is Unhealthy (its members are throttled, disabled, penalized)");
Check(health.Entries["cluster_routing.refresh"].Description == "Cluster 'refresh': no member can take work; refresh-gw1 throttled (MemoryLimit), refresh-gw2 disabled, refresh-gw3 offline.", "health: refresh names each member's state");
Check(health.Entries["cluster_routing.directquery"].Description == "Cluster 'directquery': 1 of 2 members can take work; dq-1 throttled (CpuLimit).", "health: directquery names its throttled member");

Console.WriteLine(failures == 0 ? "The AOT consumer works." : $"{failures} check(s) failed.");
return failures == 0 ? 0 : 1;
