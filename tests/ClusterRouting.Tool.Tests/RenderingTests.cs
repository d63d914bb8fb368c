using System.Text.Json;
using System.Text.RegularExpressions;
using ClusterRouting.Admin.Contract;

namespace ClusterRouting.Tool.Tests;

/// <summary>
/// The tables for a person, from answers the console gives only in states that are slow or awkward to reach on a
/// real router: no cluster, a cluster over the member limit, a member without a version, throttled by a named
/// policy, or whose offline penalty ended before the answer was written.
/// </summary>
public sealed class RenderingTests
{
    private static readonly RoutingActivityCounts Activity = new(60, 7, 1, 0, 3, 0);

    [Fact]
    public async Task Clusters_None_SaysSo()
    {
        await using StubApi api = await StubApi.StartAsync(200, "application/json", JsonSerializer.Serialize(new ClusterList([]), AdminJsonContext.Default.ClusterList));

        ToolRun run = await ToolRun.RunAsync("clusters", "--url", api.Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("No cluster is registered.", run.Output.Trim());
    }

    [Fact]
    public async Task Clusters_BothWarnings_AreListedTogether_AndNoneIsADash()
    {
        var list = new ClusterList(
        [
            new ClusterSummary("alpha", "Random", 12, 12, 11, HasVersionSkew: true, ExceedsMemberLimit: true),
            new ClusterSummary("beta", "Failover", 1, 1, 1, HasVersionSkew: false, ExceedsMemberLimit: false),
        ]);
        await using StubApi api = await StubApi.StartAsync(200, "application/json", JsonSerializer.Serialize(list, AdminJsonContext.Default.ClusterList));

        ToolRun run = await ToolRun.RunAsync("clusters", "--url", api.Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["alpha", "Random", "12", "12", "11", "version skew, over the member limit"], Cells(lines[1]));
        Assert.Equal(["beta", "Failover", "1", "1", "1", "-"], Cells(lines[2]));
    }

    [Fact]
    public async Task Members_OneMember_EveryColumnAndItsHeader()
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var member = new MemberDetail(
            "gw-1", 0, IsPrimary: true, Address: null, Version: null, Enabled: true, Health: "Penalized", PenalizedUntil: now.AddSeconds(-5),
            ConsecutiveOfflineResults: 2, Throttle: "PolicyLimit", ThrottledBy: "nightly", ThrottleRetryAfterSeconds: null, RefusedFor: null,
            RefusalCoolDownSeconds: null, InFlight: 2, ConcurrencyLimit: null, CpuPercent: null, MemoryPercent: 12.345, Description: "gw-1", Activity);
        var detail = new ClusterDetail("solo", "Failover", now, 10, [], false, false, [], [member], Activity);
        await using StubApi api = await StubApi.StartAsync(200, "application/json", JsonSerializer.Serialize(detail, AdminJsonContext.Default.ClusterDetail));

        ToolRun run = await ToolRun.RunAsync("members", "solo", "--url", api.Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        string[] lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Cluster 'solo': Failover, 1 member", lines[0]);
        Assert.Equal(
            ["MEMBER", "ROLE", "STATE", "HEALTH", "THROTTLE", "IN FLIGHT", "CPU", "MEMORY", "VERSION", "SEL/1M", "FAILOVERS/1M", "REFUSALS/1M", "OFFLINE/1M"],
            Cells(lines[1]));
        // A penalty that ended before the answer was written shows 0 s left, never a negative count.
        Assert.Equal(["gw-1", "primary", "enabled", "penalized 0s", "PolicyLimit (nightly)", "2", "-", "12.3%", "-", "7", "1", "0", "3"], Cells(lines[2]));
    }

    /// <summary>A table row's cells: the columns are at least two spaces apart, and no cell holds two spaces.</summary>
    private static string[] Cells(string line) => Regex.Split(line.Trim(), @"\s{2,}");
}
