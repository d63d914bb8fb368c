using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ClusterRouting.Admin.Contract;

namespace ClusterRouting.Tool;

/// <summary>
/// The <c>cluster-routing</c> command line: the commands, their options, and the one place where an outcome becomes
/// an exit code (<see cref="ExitCodes"/>). Output goes to the writers given, so the tool runs in process in tests.
/// </summary>
internal static class CliApp
{
    private const string Name = "cluster-routing";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var url = new Option<string?>("--url") { Description = $"The console's address, where MapClusterRoutingAdmin maps it (https://router.example/cluster-routing); or set {ToolSettings.UrlVariable}.", Recursive = true };
        var token = new Option<string?>("--token") { Description = $"A bearer token for the API (sent as Authorization: Bearer); or set {ToolSettings.TokenVariable}, which keeps it out of the process list.", Recursive = true };
        var header = new Option<string[]>("--header") { Description = "A header to send, 'Name: value', for an API key or another scheme; may be repeated.", Recursive = true, AllowMultipleArgumentsPerToken = false };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON answer instead of a table (errors: the problem details, on standard error).", Recursive = true };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the API.", DefaultValueFactory = _ => 30, Recursive = true };
        var cluster = new Argument<string>("cluster") { Description = "The cluster's name." };
        var member = new Argument<string>("member") { Description = "The member's id." };
        var mode = new Argument<string>("mode") { Description = "Failover, Random, RoundRobin or LeastLoaded." };

        var root = new RootCommand(
            "Operates ClusterRouting clusters through the admin API of a router (ClusterRouting.AspNetCore.Admin).\n\n" +
            "Exit codes: 0 done, 1 unexpected failure, 2 usage error, 3 no such cluster or member, 4 not authenticated or not allowed, " +
            "5 request rejected as invalid, 6 API unreachable or timed out, 7 API failed (5xx), 130 interrupted (Ctrl+C).");
        root.Options.Add(url);
        root.Options.Add(token);
        root.Options.Add(header);
        root.Options.Add(json);
        root.Options.Add(timeout);

        Command Define(string name, string description, Func<ParseResult, AdminApiClient, ToolSettings, CancellationToken, Task> run, params Argument[] arguments)
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
                return ExecuteAsync(
                    parse,
                    error,
                    asJson,
                    () => ToolSettings.Resolve(parse.GetValue(url), parse.GetValue(token), headers, asJson, parse.GetValue(timeout), environment),
                    run,
                    ct);
            });
            root.Subcommands.Add(command);
            return command;
        }

        Define("clusters", "List the clusters: mode, members, how many are enabled and online, warnings.", async (parse, api, settings, ct) =>
        {
            // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
            Answer<ClusterList> answer = await api.ListClustersAsync(ct).ConfigureAwait(false);
            Print(output, settings, answer, Rendering.Clusters);
        });
        Define("members", "List a cluster's members as a table: state, health, throttle, in flight and limit, CPU, memory, version, last minute's routing.", async (parse, api, settings, ct) =>
        {
            // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
            Answer<ClusterDetail> answer = await api.GetClusterAsync(parse.GetValue(cluster)!, ct).ConfigureAwait(false);
            Print(output, settings, answer, Rendering.Members);
        }, cluster);
        Define("enable", "Enable a member: it may be selected again.", (parse, api, settings, ct) => SetEnabledAsync(parse, api, settings, true, ct), cluster, member);
        Define("disable", "Disable a member: no selection picks it (operations in flight on it finish).", (parse, api, settings, ct) => SetEnabledAsync(parse, api, settings, false, ct), cluster, member);
        Define("mode", "Set how a cluster chooses its members: Failover, Random, RoundRobin or LeastLoaded.", async (parse, api, settings, ct) =>
        {
            // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
            Answer<ClusterDetail> answer = await api.SetModeAsync(parse.GetValue(cluster)!, parse.GetValue(mode)!, ct).ConfigureAwait(false);
            Print(output, settings, answer, (detail, writer) => writer.WriteLine($"Cluster '{detail.Name}' now routes in {detail.Mode} mode."));
        }, cluster, mode);
        Define("remove-member", "Remove a member from a cluster (the gateway's 'delete member'; operations in flight on it finish).", async (parse, api, settings, ct) =>
        {
            string clusterName = parse.GetValue(cluster)!;
            string memberId = parse.GetValue(member)!;
            // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
            await api.RemoveMemberAsync(clusterName, memberId, ct).ConfigureAwait(false);
            if (settings.Json)
            {
                WriteJsonObject(output, ("cluster", clusterName), ("member", memberId), ("removed", true));
            }
            else
            {
                output.WriteLine($"Removed {memberId} from cluster '{clusterName}'.");
            }
        }, cluster, member);
        Define("remove-cluster", "Remove a whole cluster from the router (the gateway's 'delete', at cluster scale): it is disposed, and configuration does not bring it back until the router restarts.", async (parse, api, settings, ct) =>
        {
            string clusterName = parse.GetValue(cluster)!;
            // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
            await api.RemoveClusterAsync(clusterName, ct).ConfigureAwait(false);
            if (settings.Json)
            {
                WriteJsonObject(output, ("cluster", clusterName), ("removed", true));
            }
            else
            {
                output.WriteLine($"Removed cluster '{clusterName}'.");
            }
        }, cluster);

        async Task SetEnabledAsync(ParseResult parse, AdminApiClient api, ToolSettings settings, bool enabled, CancellationToken ct)
        {
            string clusterName = parse.GetValue(cluster)!;
            // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
            Answer<MemberDetail> answer = await api.SetEnabledAsync(clusterName, parse.GetValue(member)!, enabled, ct).ConfigureAwait(false);
            Print(output, settings, answer, (detail, writer) => Rendering.Member(detail, clusterName, writer));
        }

        ParseResult result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError parseError in result.Errors)
            {
                // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
                await error.WriteLineAsync($"{Name}: {parseError.Message}").ConfigureAwait(false);
            }

            // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
            await error.WriteLineAsync($"Run '{Name} --help' for the commands and options.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        return await result.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> ExecuteAsync(
        ParseResult parse,
        TextWriter error,
        bool json,
        Func<ToolSettings> settings,
        Func<ParseResult, AdminApiClient, ToolSettings, CancellationToken, Task> run,
        CancellationToken cancellationToken)
    {
        ToolSettings resolved;
        try
        {
            resolved = settings();
        }
        catch (UsageException ex)
        {
            return Fail(error, json, ExitCodes.Usage, ex.Message);
        }

        using HttpClient http = CreateClient(resolved);
        try
        {
            // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
            await run(parse, new AdminApiClient(http), resolved, cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        catch (AdminApiException ex)
        {
            if (json && ex.Body is not null)
            {
                // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
                await error.WriteLineAsync(ex.Body).ConfigureAwait(false);
                return ex.ExitCode;
            }

            return Fail(error, json, ex.ExitCode, ex.Problem is null ? ex.Message : $"{ex.Problem.Title}: {ex.Problem.Detail}{Fields(ex.Problem)}");
        }
        catch (HttpRequestException ex)
        {
            return Fail(error, json, ExitCodes.Unreachable, $"Cannot reach {resolved.BaseAddress}: {ex.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail(error, json, ExitCodes.Unreachable, $"{resolved.BaseAddress} did not answer within {resolved.Timeout.TotalSeconds:0} s.");
        }
        catch (InvalidDataException ex)
        {
            return Fail(error, json, ExitCodes.Failure, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Fail(error, json, ExitCodes.Interrupted, "Interrupted before the API answered.");
        }
    }

    private static HttpClient CreateClient(ToolSettings settings)
    {
        // No cookies: the console asks a change that carries cookies for the browser's antiforgery token. No
        // redirects: an API answers scripts itself, and a redirect (to a sign-in page, say) is reported, not followed.
        var handler = new SocketsHttpHandler { AllowAutoRedirect = false };
        // Stryker disable once Boolean : UseCookies = true acts the same: each run sends one request through a new handler, whose cookie container is empty
        handler.UseCookies = false;
        var http = new HttpClient(handler) { BaseAddress = settings.BaseAddress, Timeout = settings.Timeout };
        // Stryker disable once String : the "0" is never used: an assembly always has a version
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue(Name, typeof(CliApp).Assembly.GetName().Version?.ToString(3) ?? "0"));
        if (settings.Token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Token);
        }

        foreach ((string name, string value) in settings.Headers)
        {
            http.DefaultRequestHeaders.TryAddWithoutValidation(name, value);
        }

        return http;
    }

    private static void Print<T>(TextWriter output, ToolSettings settings, Answer<T> answer, Action<T, TextWriter> render)
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

    private static string Fields(Problem problem) =>
        problem.Errors is null || problem.Errors.Count == 0 ? string.Empty : " (" + string.Join("; ", problem.Errors.Select(e => e.Key + ": " + string.Join(" ", e.Value))) + ")";

    private static int Fail(TextWriter error, bool json, int exitCode, string message)
    {
        if (json)
        {
            WriteJsonObject(error, ("error", message), ("exitCode", exitCode));
        }
        else
        {
            error.WriteLine($"{Name}: {message}");
        }

        return exitCode;
    }

    private static void WriteJsonObject(TextWriter writer, params (string Name, object Value)[] properties)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach ((string name, object value) in properties)
            {
                switch (value)
                {
                    case string text:
                        json.WriteString(name, text);
                        break;
                    case int number:
                        json.WriteNumber(name, number);
                        break;
                    case bool flag:
                        json.WriteBoolean(name, flag);
                        break;
                }
            }

            json.WriteEndObject();
        }

        writer.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
