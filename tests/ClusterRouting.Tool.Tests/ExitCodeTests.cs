using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using ClusterRouting.Admin.Tests;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Tool.Tests;

/// <summary>The exit codes scripts rely on, each reached for real: usage, not found, not allowed, rejected, unreachable, timed out.</summary>
public sealed class ExitCodeTests
{
    [Theory]
    [InlineData("")]
    [InlineData("frobnicate")]
    [InlineData("members")]
    [InlineData("disable sales")]
    [InlineData("clusters --timeout soon")]
    [InlineData("clusters --no-such-option")]
    public async Task Usage_WrongCommandLine_Is2(string commandLine)
    {
        ToolRun run = await ToolRun.RunAsync([.. commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--url", "http://127.0.0.1:9/cluster-routing"]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("cluster-routing --help", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
        // First what is wrong, then where to look.
        string[] lines = run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length >= 2, run.ToString());
        Assert.StartsWith("cluster-routing: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("--help", lines[0], StringComparison.Ordinal);
        Assert.Equal("Run 'cluster-routing --help' for the commands and options.", lines[^1]);
    }

    [Fact]
    public async Task Usage_TwoHeadersAfterOneOption_Is2()
    {
        // Each header takes its own --header: the second value is an argument no command expects.
        ToolRun run = await ToolRun.RunAsync("clusters", "--url", "http://127.0.0.1:9/cluster-routing", "--header", "X-A: 1", "X-B: 2");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("X-B: 2", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "Say where the console is: --url")]
    [InlineData("router.example/cluster-routing", "absolute")]
    [InlineData("ftp://router.example/cluster-routing", "absolute")]
    [InlineData("http://router.example/cluster-routing", "Refusing to send credentials over plain http")]
    public async Task Usage_NoOrABadAddress_Is2BeforeAnyRequest(string? url, string message)
    {
        string[] args = url is null ? ["clusters", "--token", "t"] : ["clusters", "--token", "t", "--url", url];

        ToolRun run = await ToolRun.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("X-Api-Key")]
    [InlineData("X Api: key")]
    [InlineData(": value")]
    public async Task Usage_AMalformedHeader_Is2(string header)
    {
        ToolRun run = await ToolRun.RunAsync("clusters", "--url", "http://127.0.0.1:9/cluster-routing", "--header", header);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--header takes 'Name: value'", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("members", "nope")]
    [InlineData("disable", "nope", "gw-1")]
    [InlineData("disable", "sales", "gw-9")]
    [InlineData("enable", "sales", "gw-9")]
    [InlineData("mode", "nope", "Random")]
    [InlineData("remove-member", "sales", "gw-9")]
    [InlineData("remove-cluster", "nope")]
    public async Task NotFound_UnknownClusterOrMember_Is3AndChangesNothing(params string[] args)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        string before = host.Snapshot();

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, args));

        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.StartsWith("cluster-routing: Unknown ", run.Error, StringComparison.Ordinal);
        Assert.Equal(before, host.Snapshot());
    }

    public static TheoryData<string?, string[]> NotAllowedCases() => new()
    {
        { null, ["clusters"] },
        { null, ["disable", "sales", "gw-1"] },
        { "not-a-token", ["members", "sales"] },
        { "not-a-token", ["remove-member", "sales", "gw-1"] },
        { TestUsers.Guest.Token, ["clusters"] },
        { TestUsers.Reader.Token, ["disable", "sales", "gw-1"] },
        { TestUsers.Reader.Token, ["enable", "sales", "gw-1"] },
        { TestUsers.Reader.Token, ["mode", "sales", "Random"] },
        { TestUsers.Reader.Token, ["remove-member", "sales", "gw-1"] },
        { TestUsers.Reader.Token, ["remove-cluster", "sales"] },
    };

    [Theory]
    [MemberData(nameof(NotAllowedCases))]
    public async Task NotAllowed_MissingBadOrInsufficientCredentials_Is4AndChangesNothing(string? token, string[] args)
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();
        string before = host.Snapshot();
        var all = new List<string>(ToolRun.Against(host, null, args));
        if (token is not null)
        {
            all.AddRange(["--token", token]);
        }

        ToolRun run = await ToolRun.RunAsync(all.ToArray());

        Assert.Equal(ExitCodes.NotAllowed, run.ExitCode);
        Assert.Contains("cluster-routing: The API answered 40", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
        Assert.Equal(before, host.Snapshot());
    }

    [Fact]
    public async Task Rejected_AModeThatDoesNotExist_Is5NamingTheField()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync();

        ToolRun run = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, "mode", "sales", "Sideways"));
        ToolRun json = await ToolRun.RunAsync(ToolRun.Against(host, TestUsers.Operator, "mode", "sales", "Sideways", "--json"));

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Contains("'Sideways' is not a mode", run.Error, StringComparison.Ordinal);
        Assert.Contains("(mode: ", run.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Rejected, json.ExitCode);
        using JsonDocument problem = JsonDocument.Parse(json.Error);
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty("mode", out _));
        Assert.Equal(SelectionMode.Failover, host.Clusters.GetCluster("sales").Mode);
    }

    [Fact]
    public async Task Unreachable_NothingListening_Is6()
    {
        int port = FreePort();

        ToolRun run = await ToolRun.RunAsync("clusters", "--url", $"http://127.0.0.1:{port}/cluster-routing", "--token", "t");
        ToolRun json = await ToolRun.RunAsync("clusters", "--url", $"http://127.0.0.1:{port}/cluster-routing", "--json");

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains("Cannot reach", run.Error, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Unreachable, json.ExitCode);
        using JsonDocument error = JsonDocument.Parse(json.Error);
        Assert.Equal(ExitCodes.Unreachable, error.RootElement.GetProperty("exitCode").GetInt32());
        Assert.StartsWith("Cannot reach http://127.0.0.1:", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failure_ABareRedirect_Is1AndSaysItLeadsNowhere()
    {
        await using StubApi api = await StubApi.StartAsync(300, null, string.Empty);

        ToolRun run = await ToolRun.RunAsync("clusters", "--url", api.Url);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith("cluster-routing: The API answered 300 MultipleChoices, a redirect to nowhere: ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failure_AnAnswerOfNull_Is1()
    {
        await using StubApi api = await StubApi.StartAsync(200, "application/json", "null");

        ToolRun run = await ToolRun.RunAsync("clusters", "--url", api.Url);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("The API's answer to GET api/clusters is not what the tool understands", run.Error, StringComparison.Ordinal);
        Assert.EndsWith("The answer is null.", run.Error.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerError_WithAnEmptyBody_Is7_AndJsonSaysSo()
    {
        await using StubApi api = await StubApi.StartAsync(500, null, string.Empty);

        ToolRun run = await ToolRun.RunAsync("clusters", "--url", api.Url, "--json");

        Assert.Equal(ExitCodes.ServerError, run.ExitCode);
        using JsonDocument error = JsonDocument.Parse(run.Error);
        Assert.Equal("The API answered 500 InternalServerError.", error.RootElement.GetProperty("error").GetString());
        Assert.Equal(ExitCodes.ServerError, error.RootElement.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task Rejected_ProblemDetailsAsPlainJson_PrintsTitleDetailAndEveryField()
    {
        const string body = """{"type":"urn:x","title":"Conflict","status":409,"detail":"Not now.","errors":{"mode":["one","two"],"name":["three"]}}""";
        await using StubApi api = await StubApi.StartAsync(409, "application/json", body);

        ToolRun run = await ToolRun.RunAsync("mode", "sales", "Random", "--url", api.Url);

        Assert.Equal(ExitCodes.Rejected, run.ExitCode);
        Assert.Equal("cluster-routing: Conflict: Not now. (mode: one two; name: three)", run.Error.Trim());
    }

    [Fact]
    public async Task NotFound_ProblemDetailsWithoutFields_PrintsTitleAndDetailOnly()
    {
        const string body = """{"type":"urn:x","title":"Unknown cluster","status":404,"detail":"No cluster 'x'."}""";
        await using StubApi api = await StubApi.StartAsync(404, "application/problem+json", body);

        ToolRun run = await ToolRun.RunAsync("members", "x", "--url", api.Url);

        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Equal("cluster-routing: Unknown cluster: No cluster 'x'.", run.Error.Trim());
    }

    [Fact]
    public async Task Requests_AskForJson_AndNameTheToolAndItsVersion()
    {
        await using StubApi api = await StubApi.StartAsync(200, "application/json", "{\"clusters\":[]}");

        ToolRun run = await ToolRun.RunAsync("clusters", "--url", api.Url);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("application/json", api.LastHeaders!.Accept.ToString());
        Assert.Equal("cluster-routing/" + typeof(CliApp).Assembly.GetName().Version!.ToString(3), api.LastHeaders.UserAgent.ToString());
    }

    [Fact]
    public async Task Unreachable_AServerThatNeverAnswers_Is6AfterTheTimeout()
    {
        // Accepts connections and reads nothing: the request waits for an answer that never comes.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var held = new List<TcpClient>();
        Task accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    held.Add(await listener.AcceptTcpClientAsync());
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // The listener stopped.
            }
        });

        ToolRun run = await ToolRun.RunAsync("clusters", "--url", $"http://127.0.0.1:{port}/cluster-routing", "--timeout", "1");

        listener.Stop();
        await accepting;
        held.ForEach(c => c.Dispose());
        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains("did not answer within 1 s", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Interrupted_WhileWaitingForTheApi_Is130_NotAnException()
    {
        // Ctrl+C cancels the token the command runs with: the tool says so and exits 130, as shells expect.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task<TcpClient> accepted = listener.AcceptTcpClientAsync();
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var interrupt = new CancellationTokenSource();

        Task<int> run = CliApp.RunAsync(["clusters", "--url", $"http://127.0.0.1:{port}/cluster-routing", "--timeout", "60"], output, error, _ => null, interrupt.Token);
        using TcpClient connection = await accepted.WaitAsync(TimeSpan.FromSeconds(30));
        await interrupt.CancelAsync();

        Assert.Equal(ExitCodes.Interrupted, await run.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("cluster-routing: Interrupted before the API answered.", error.ToString().Trim());
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task Failure_ARedirectToASignInPage_Is1AndIsNotFollowed()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using WebApplication app = builder.Build();
        int followed = 0;
        app.Run(context =>
        {
            if (context.Request.Path.StartsWithSegments("/login"))
            {
                Interlocked.Increment(ref followed);
            }

            context.Response.Redirect("/login?ReturnUrl=%2F");
            return Task.CompletedTask;
        });
        await app.StartAsync();
        string root = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        ToolRun run = await ToolRun.RunAsync("clusters", "--url", root + "/cluster-routing", "--token", "t");

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("a redirect to /login?ReturnUrl=%2F", run.Error, StringComparison.Ordinal);
        Assert.Equal(0, followed);
    }

    [Theory]
    [InlineData("0", "--timeout must be a positive number of seconds, not 0.")]
    [InlineData("-5", "--timeout must be a positive number of seconds, not -5.")]
    // HttpClient.Timeout takes at most int.MaxValue milliseconds: a longer timeout crashed the tool (exit 134).
    [InlineData("2147484", "--timeout must be at most 2147483 seconds (about 24.8 days, the longest an HttpClient waits), not 2147484.")]
    [InlineData("2147483647", "--timeout must be at most 2147483 seconds (about 24.8 days, the longest an HttpClient waits), not 2147483647.")]
    public async Task Usage_ATimeoutOutOfRange_Is2NamingIt(string seconds, string message)
    {
        ToolRun run = await ToolRun.RunAsync("clusters", "--url", "http://127.0.0.1:9/cluster-routing", "--timeout", seconds);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UnexpectedFailureOfACommand_Is1WithItsMessage_NotACrash(bool json)
    {
        // No API answer leads here today: a command's action that throws what nothing expects (a defect) must still end
        // with the documented exit code 1 and say what failed, instead of escaping as an unhandled exception.
        using var error = new StringWriter();
        ParseResult parse = new RootCommand().Parse([]);

        int exitCode = await CliApp.ExecuteAsync(
            parse,
            error,
            json,
            () => ToolSettings.Resolve("http://127.0.0.1:9/cluster-routing", null, [], json, 30, _ => null),
            (_, _, _, _) => throw new NotSupportedException("no such rendering"),
            CancellationToken.None);

        Assert.Equal(ExitCodes.Failure, exitCode);
        if (json)
        {
            using JsonDocument body = JsonDocument.Parse(error.ToString());
            Assert.Equal("unexpected failure: NotSupportedException: no such rendering", body.RootElement.GetProperty("error").GetString());
            Assert.Equal(ExitCodes.Failure, body.RootElement.GetProperty("exitCode").GetInt32());
        }
        else
        {
            Assert.Equal("cluster-routing: unexpected failure: NotSupportedException: no such rendering", error.ToString().Trim());
        }
    }

    [Fact]
    public async Task TheLongestTimeout_IsTaken()
    {
        // Nothing listens on port 9 of the loopback: the connection is refused at once, whatever the timeout.
        ToolRun run = await ToolRun.RunAsync("clusters", "--url", "http://127.0.0.1:9/cluster-routing", "--timeout", "2147483");

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.DoesNotContain("--timeout", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/html", "<html>sign in</html>")]
    [InlineData("application/json", "null")]
    [InlineData("application/json", "{\"clusters\":")]
    public async Task Failure_ASuccessThatIsNotTheApisAnswer_Is1AskingAboutTheAddress(string contentType, string body)
    {
        await using WebApplication app = await ServerAsync(context =>
        {
            context.Response.ContentType = contentType;
            return context.Response.WriteAsync(body);
        });

        ToolRun run = await ToolRun.RunAsync("clusters", "--url", Root(app) + "/cluster-routing", "--token", "t");

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains("The API's answer to GET api/clusters is not what the tool understands (is --url the console's address?)", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Output);
    }

    [Theory]
    [InlineData(500, ExitCodes.ServerError)]
    [InlineData(503, ExitCodes.ServerError)]
    [InlineData(429, ExitCodes.Failure)]
    [InlineData(405, ExitCodes.Failure)]
    public async Task AnErrorWhoseProblemBodyIsNotJson_IsReportedByItsStatus(int status, int exitCode)
    {
        await using WebApplication app = await ServerAsync(context =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/problem+json";
            return context.Response.WriteAsync("upstream failed");
        });

        ToolRun run = await ToolRun.RunAsync("clusters", "--url", Root(app) + "/cluster-routing", "--token", "t");
        ToolRun json = await ToolRun.RunAsync("clusters", "--url", Root(app) + "/cluster-routing", "--token", "t", "--json");

        Assert.Equal(exitCode, run.ExitCode);
        Assert.Contains($"The API answered {status} {(HttpStatusCode)status}.", run.Error, StringComparison.Ordinal);
        Assert.Equal(exitCode, json.ExitCode);
        Assert.Equal("upstream failed", json.Error.Trim());
    }

    [Fact]
    public async Task Help_IsExit0()
    {
        ToolRun run = await ToolRun.RunAsync("--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Exit codes: 0 done", run.Output, StringComparison.Ordinal);
        Assert.Contains("remove-member <cluster> <member>", run.Output, StringComparison.Ordinal);
    }

    /// <summary>A server on loopback that answers every request with <paramref name="answer"/>.</summary>
    private static async Task<WebApplication> ServerAsync(RequestDelegate answer)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        app.Run(answer);
        await app.StartAsync();
        return app;
    }

    private static string Root(WebApplication app) => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
