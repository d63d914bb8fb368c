using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ClusterRouting.Admin.Contract;

namespace ClusterRouting.Tool;

/// <summary>
/// Runs the <c>cluster-routing</c> command line (<see cref="ToolCommandLine"/>): parses it, reports a usage error, and
/// is the one place where an outcome becomes an exit code (<see cref="ExitCodes"/>). Output goes to the writers
/// given, so the tool runs in process in tests.
/// </summary>
internal static class CliApp
{
    private const string Name = "cluster-routing";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        environment ??= Environment.GetEnvironmentVariable;
        RootCommand root = new ToolCommandLine(output, error, environment).CreateRoot();
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

        var invocation = new InvocationConfiguration { Output = output, Error = error };
        // Stryker disable once Boolean : ConfigureAwait(true) acts the same here: the tool has no SynchronizationContext to return to
        return await result.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task<int> ExecuteAsync(ParseResult parse, TextWriter error, bool json, Func<ToolSettings> settings, Func<ParseResult, AdminApiClient, ToolSettings, CancellationToken, Task> run, CancellationToken cancellationToken)
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
#pragma warning disable CA1031 // Anything else is the documented exit code 1 with its message, not a crash of the process.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return Fail(error, json, ExitCodes.Failure, $"unexpected failure: {ex.GetType().Name}: {ex.Message}");
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

    internal static void WriteJsonObject(TextWriter writer, params (string Name, object Value)[] properties)
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
