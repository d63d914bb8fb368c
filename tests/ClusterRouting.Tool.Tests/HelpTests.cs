using System.Text.RegularExpressions;

namespace ClusterRouting.Tool.Tests;

/// <summary>What <c>--help</c> tells a person: each command, option and argument with its description.</summary>
public sealed class HelpTests
{
    [Fact]
    public async Task RootHelp_DescribesTheToolEveryCommandAndEveryOption()
    {
        string help = Flat((await ToolRun.RunAsync("--help")).Output);

        Assert.Contains("Operates ClusterRouting clusters through the admin API of a router (ClusterRouting.AspNetCore.Admin).", help, StringComparison.Ordinal);
        Assert.Contains("5 request rejected as invalid, 6 API unreachable or timed out, 7 API failed (5xx), 130 interrupted (Ctrl+C).", help, StringComparison.Ordinal);
        string[] expected =
        [
            "clusters List the clusters: mode, members, how many are enabled and online, warnings.",
            "members <cluster> List a cluster's members as a table: state, health, throttle, in flight and limit, CPU, memory, version, last minute's routing.",
            "enable <cluster> <member> Enable a member: it may be selected again.",
            "disable <cluster> <member> Disable a member: no selection picks it (operations in flight on it finish).",
            "mode <cluster> <mode> Set how a cluster chooses its members: Failover, Random, RoundRobin or LeastLoaded.",
            "remove-member <cluster> <member> Remove a member from a cluster (the gateway's 'delete member'; operations in flight on it finish).",
            "remove-cluster <cluster> Remove a whole cluster from the router (the gateway's 'delete', at cluster scale): it is disposed, and configuration does not bring it back until the router restarts.",
            "The console's address, where MapClusterRoutingAdmin maps it (https://router.example/cluster-routing); or set CLUSTER_ROUTING_URL.",
            "A bearer token for the API (sent as Authorization: Bearer); or set CLUSTER_ROUTING_TOKEN, which keeps it out of the process list.",
            "A header to send, 'Name: value', for an API key or another scheme; may be repeated.",
            "Print the API's JSON answer instead of a table (errors: the problem details, on standard error).",
            "Seconds to wait for the API. [default: 30]",
        ];
        Assert.All(expected, text => Assert.Contains(text, help, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("members", "<cluster> The cluster's name.")]
    [InlineData("disable", "<member> The member's id.")]
    [InlineData("mode", "<mode> Failover, Random, RoundRobin or LeastLoaded.")]
    public async Task CommandHelp_DescribesItsArguments(string command, string argument)
    {
        ToolRun run = await ToolRun.RunAsync(command, "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(argument, Flat(run.Output), StringComparison.Ordinal);
    }

    /// <summary>The help text with every run of white space made one space: the columns and line breaks depend on the width.</summary>
    private static string Flat(string text) => Regex.Replace(text, @"\s+", " ");
}
