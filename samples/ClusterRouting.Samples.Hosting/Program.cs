// ClusterRouting hosting sample: clusters separated by workload, configured in appsettings.json.
//
// Gateway guidance is to give heavy scheduled Import refreshes and interactive DirectQuery traffic their own clusters,
// so that a refresh storm can't starve report users. appsettings.json declares two clusters under "ClusterRouting",
// with the gateway's own throttling keys:
//   refresh     - Failover, 3 members, MemoryUtilizationPercentageThreshold 80, ConcurrentOperationLimitPreview 4
//   directquery - RoundRobin, 2 members, CPUUtilizationPercentageThreshold 75, ConcurrentOperationLimitPreview 10
// The Generic Host binds them with AddClusterRouting, validates them on start, and routes the library's log events
// (category "ClusterRouting", Information) to the console. The steps:
//   1. Each workload routes on its own cluster: refreshes stay on the primary, DirectQuery queries alternate.
//   2. The refresh primary reports heavy memory: refreshes fail over until its 5-minute average drops again.
//   3. Four refreshes in flight fill the primary's concurrency limit: the fifth goes to the next member.
//   4. Every DirectQuery member is over its CPU limit: selection fails with the gateway's message and a retry time.
//   5. A Dataflow Gen2 connection edit needs the primary itself: it fails, rather than fail over, when that is disabled.
// The program runs the steps and exits.

using ClusterRouting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// The content root is the output folder, where appsettings.json is copied, whatever the working directory.
HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Services.AddClusterRouting(builder.Configuration.GetSection("ClusterRouting"));

using IHost host = builder.Build();
await host.StartAsync(); // validates every cluster's options (ValidateOnStart): a bad appsettings.json fails here

IClusterSelectorProvider provider = host.Services.GetRequiredService<IClusterSelectorProvider>();
IClusterSelector refresh = provider.GetCluster("refresh");
IClusterAdministration refreshAdmin = provider.GetAdministration("refresh"); // the same cluster, for changing it
IClusterSelector directQuery = host.Services.GetRequiredKeyedService<IClusterSelector>("directquery");
Say($"Clusters in appsettings.json: {string.Join(", ", provider.ClusterNames.Order(StringComparer.Ordinal))}");

// 1. Normal day.
Step("1. Each workload on its own cluster");
Say($"  refreshes -> {Route(refresh, 3)}   (Failover: the primary takes all it can)");
Say($"  queries   -> {Route(directQuery, 4)}   (RoundRobin: an even rotation)");

// 2. Memory pressure on the refresh primary.
Step("2. refresh-gw1 reports 92% memory (threshold 80)");
refresh.ReportUtilization("refresh-gw1", cpuPercent: 35, memoryPercent: 92);
PrintStatus(refresh);
Say($"  refreshes -> {Route(refresh, 3)}   (the primary is skipped while its average is over 80%)");
Say("  two more samples, at 45% and 40%, bring the 5-minute average under 80%:");
refresh.ReportUtilization("refresh-gw1", cpuPercent: 30, memoryPercent: 45);
refresh.ReportUtilization("refresh-gw1", cpuPercent: 30, memoryPercent: 40);
PrintStatus(refresh);
Say($"  refreshes -> {Route(refresh, 3)}   (back on the primary)");

// 3. The concurrency limit.
Step("3. Four refreshes in flight on refresh-gw1 (ConcurrentOperationLimitPreview 4)");
var running = new List<MemberLease>();
try
{
    for (int i = 0; i < 4; i++)
    {
        running.Add(refresh.Select());
    }

    Say($"  running   -> {string.Join(", ", running.Select(l => l.MemberId))}");
    using (MemberLease fifth = refresh.Select())
    {
        Say($"  5th       -> {fifth.MemberId}   (refresh-gw1 has 4 of 4 slots taken)");
    }
}
finally
{
    foreach (MemberLease lease in running)
    {
        lease.Dispose();
    }
}

Say($"  next      -> {Route(refresh, 1)}   (the four finished: a slot is free again)");

// 4. Every DirectQuery member over its CPU limit.
Step("4. Both DirectQuery members report CPU over 75%");
directQuery.ReportUtilization("dq-gw1", cpuPercent: 91, memoryPercent: 50);
directQuery.ReportUtilization("dq-gw2", cpuPercent: 84, memoryPercent: 47);
PrintStatus(directQuery);
try
{
    using MemberLease lease = directQuery.Select();
    Say($"  unexpectedly routed to {lease.MemberId}");
}
catch (ClusterThrottledException ex)
{
    Say($"  ClusterThrottledException ({ex.Limit} limit, {ex.MemberId} first):");
    Say($"    \"{ex.Message}\"");
    Say($"    RetryAfter {Minutes(ex.RetryAfter)}: when the oldest sample leaves the 5-minute window");
}

// 5. An operation only the primary may run.
Step("5. Dataflow Gen2 connection edit (needs the primary)");
using (MemberLease edit = refresh.SelectPrimary())
{
    Say($"  edit      -> {edit.MemberId} (primary: {edit.IsPrimary})");
}

refreshAdmin.SetMemberEnabled("refresh-gw1", false);
Say($"  refreshes -> {Route(refresh, 2)}   (refreshes fail over as usual)");
try
{
    using MemberLease edit = refresh.SelectPrimary();
    Say($"  unexpectedly routed to {edit.MemberId}");
}
catch (PrimaryUnavailableException ex)
{
    Say("  edit      -> PrimaryUnavailableException (no failover for primary-only work):");
    Say($"    \"{ex.Message}\"");
}

refreshAdmin.SetMemberEnabled("refresh-gw1", true);
await host.StopAsync();

// Selects a member n times, disposing each lease at once (a real caller runs the operation first), and lists them.
static string Route(IClusterSelector cluster, int count)
{
    var members = new List<string>(count);
    for (int i = 0; i < count; i++)
    {
        using MemberLease lease = cluster.Select();
        members.Add(lease.MemberId);
    }

    return string.Join(", ", members);
}

static void Step(string title)
{
    Say(string.Empty);
    Say($"== {title} ==");
}

// The console logger writes on a background thread: a short pause before each line lets the log events of what
// just happened out first, so that they appear next to the step that caused them.
static void Say(string line)
{
    Thread.Sleep(20);
    Console.WriteLine(line);
}

static void PrintStatus(IClusterSelector cluster)
{
    foreach (MemberStatus member in cluster.GetStatus().Members)
    {
        string throttle = member.Throttle == MemberRejectionReason.None ? "-" : member.Throttle.ToString();
        Say(
            $"    {member.Id,-12} throttle {throttle,-11} cpu {Percent(member.CpuPercent),4} mem {Percent(member.MemoryPercent),4}" +
            $"  in flight {member.InFlight}/{member.ConcurrencyLimit}");
    }
}

static string Percent(double? value) => value is double v ? $"{v:0}%" : "-";

static string Minutes(TimeSpan? value) => value is TimeSpan t ? $"{t.TotalMinutes:0.0} min" : "unknown";
