using System.CommandLine;
using ClusterRouting.Admin.Contract;

namespace ClusterRouting.Tool;

/// <summary>
/// The <c>cluster-routing</c> commands: the options and arguments they share, the root command built from them, and
/// what each command asks of the API and prints. <see cref="CliApp"/> runs it and turns the outcome into an exit code.
/// </summary>
internal sealed class ToolCommandLine(TextWriter output, TextWriter error, Func<string, string?> environment)
{
    private readonly Option<string?> url = new("--url") { Description = $"The console's address, where MapClusterRoutingAdmin maps it (https://router.example/cluster-routing); or set {ToolSettings.UrlVariable}.", Recursive = true };
    private readonly Option<string?> token = new("--token") { Description = $"A bearer token for the API (sent as Authorization: Bearer); or set {ToolSettings.TokenVariable}, which keeps it out of the process list.", Recursive = true };
    private readonly Option<string[]> header = new("--header") { Description = "A header to send, 'Name: value', for an API key or another scheme; may be repeated.", Recursive = true, AllowMultipleArgumentsPerToken = false };
    private readonly Option<bool> json = new("--json") { Description = "Print the API's JSON answer instead of a table (errors: the problem details, on standard error).", Recursive = true };
    private readonly Option<int> timeout = new("--timeout") { Description = "Seconds to wait for the API.", DefaultValueFactory = _ => 30, Recursive = true };
    private readonly Argument<string> cluster = new("cluster") { Description = "The cluster's name." };
    private readonly Argument<string> member = new("member") { Description = "The member's id." };
    private readonly Argument<string> mode = new("mode") { Description = "Failover, Random, RoundRobin or LeastLoaded." };

    public RootCommand CreateRoot()
    {
        var root = new RootCommand(
            "Operates ClusterRouting clusters through the admin API of a router (ClusterRouting.AspNetCore.Admin).\n\n" +
            "Exit codes: 0 done, 1 unexpected failure, 2 usage error, 3 no such cluster or member, 4 not authenticated or not allowed, " +
            "5 request rejected as invalid, 6 API unreachable or timed out, 7 API failed (5xx), 130 interrupted (Ctrl+C).");
        root.Options.Add(url);
        root.Options.Add(token);
        root.Options.Add(header);
        root.Options.Add(json);
        root.Options.Add(timeout);

        Define(root, "clusters", "List the clusters: mode, members, how many are enabled and online, warnings.", ListClustersAsync);
        Define(root, "members", "List a cluster's members as a table: state, health, throttle, in flight and limit, CPU, memory, version, last minute's routing.", ListMembersAsync, cluster);
        Define(root, "enable", "Enable a member: it may be selected again.", (parse, api, settings, ct) => SetEnabledAsync(parse, api, settings, true, ct), cluster, member);
        Define(root, "disable", "Disable a member: no selection picks it (operations in flight on it finish).", (parse, api, settings, ct) => SetEnabledAsync(parse, api, settings, false, ct), cluster, member);
        Define(root, "mode", "Set how a cluster chooses its members: Failover, Random, RoundRobin or LeastLoaded.", SetModeAsync, cluster, mode);
        Define(root, "remove-member", "Remove a member from a cluster (the gateway's 'delete member'; operations in flight on it finish).", RemoveMemberAsync, cluster, member);
        Define(root, "remove-cluster", "Remove a whole cluster from the router (the gateway's 'delete', at cluster scale): it is disposed, and configuration does not bring it back until the router restarts.", RemoveClusterAsync, cluster);
        return root;
    }

    private void Define(RootCommand root, string name, string description, Func<ParseResult, AdminApiClient, ToolSettings, CancellationToken, Task> run, params Argument[] arguments)
    {
        var command = new Command(name, description);
        foreach (Argument argument in arguments)
        {
            command.Arguments.Add(argument);
        }

        command.SetAction((parse, ct) =>
        {
            bool asJson = parse.GetValue(json);
            // Stryker disable once NullCoalescing : System.CommandLine gives an empty array, never null, for an array option that is not given
            string[] headers = parse.GetValue(header) ?? [];
            return CliApp.ExecuteAsync(
                parse,
                error,
                asJson,
                () => ToolSettings.Resolve(parse.GetValue(url), parse.GetValue(token), headers, asJson, parse.GetValue(timeout), environment),
                run,
                ct);
        });
        root.Subcommands.Add(command);
    }

    private async Task ListClustersAsync(ParseResult parse, AdminApiClient api, ToolSettings settings, CancellationToken ct)
    {
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        Answer<ClusterList> answer = await api.ListClustersAsync(ct).ConfigureAwait(false);
        Print(settings, answer, Rendering.Clusters);
    }

    private async Task ListMembersAsync(ParseResult parse, AdminApiClient api, ToolSettings settings, CancellationToken ct)
    {
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        Answer<ClusterDetail> answer = await api.GetClusterAsync(parse.GetValue(cluster)!, ct).ConfigureAwait(false);
        Print(settings, answer, Rendering.Members);
    }

    private async Task SetEnabledAsync(ParseResult parse, AdminApiClient api, ToolSettings settings, bool enabled, CancellationToken ct)
    {
        string clusterName = parse.GetValue(cluster)!;
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        Answer<MemberDetail> answer = await api.SetEnabledAsync(clusterName, parse.GetValue(member)!, enabled, ct).ConfigureAwait(false);
        Print(settings, answer, (detail, writer) => Rendering.Member(detail, clusterName, writer));
    }

    private async Task SetModeAsync(ParseResult parse, AdminApiClient api, ToolSettings settings, CancellationToken ct)
    {
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        Answer<ClusterDetail> answer = await api.SetModeAsync(parse.GetValue(cluster)!, parse.GetValue(mode)!, ct).ConfigureAwait(false);
        Print(settings, answer, (detail, writer) => writer.WriteLine($"Cluster '{detail.Name}' now routes in {detail.Mode} mode."));
    }

    private async Task RemoveMemberAsync(ParseResult parse, AdminApiClient api, ToolSettings settings, CancellationToken ct)
    {
        string clusterName = parse.GetValue(cluster)!;
        string memberId = parse.GetValue(member)!;
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        await api.RemoveMemberAsync(clusterName, memberId, ct).ConfigureAwait(false);
        if (settings.Json)
        {
            CliApp.WriteJsonObject(output, ("cluster", clusterName), ("member", memberId), ("removed", true));
        }
        else
        {
            output.WriteLine($"Removed {memberId} from cluster '{clusterName}'.");
        }
    }

    private async Task RemoveClusterAsync(ParseResult parse, AdminApiClient api, ToolSettings settings, CancellationToken ct)
    {
        string clusterName = parse.GetValue(cluster)!;
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        await api.RemoveClusterAsync(clusterName, ct).ConfigureAwait(false);
        if (settings.Json)
        {
            CliApp.WriteJsonObject(output, ("cluster", clusterName), ("removed", true));
        }
        else
        {
            output.WriteLine($"Removed cluster '{clusterName}'.");
        }
    }

    private void Print<T>(ToolSettings settings, Answer<T> answer, Action<T, TextWriter> render)
    {
        if (settings.Json)
        {
            output.WriteLine(answer.Json);
        }
        else
        {
            render(answer.Value, output);
        }
    }
}
