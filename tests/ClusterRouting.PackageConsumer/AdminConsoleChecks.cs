// Exercises the packed ClusterRouting.AspNetCore.Admin package in a real Kestrel app (the API behind its policies,
// the page's embedded files, a change reaching the engine), and the packed ClusterRouting.Tool installed as a .NET tool
// (its path in CLUSTER_ROUTING_TOOL, set by .ci/run), run against that app.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using ClusterRouting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

internal static class AdminConsoleChecks
{
    public static async Task RunAsync(Action<bool, string> check)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddClusterRouting().AddCluster("refresh", options =>
        {
            options.Members.Add(new ClusterMemberOptions("gw-1"));
            options.Members.Add(new ClusterMemberOptions("gw-2"));
        });
        builder.Services.AddAuthentication(KeyHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, KeyHandler>(KeyHandler.SchemeName, null);
        builder.Services.AddAuthorization(options =>
        {
            options.AddPolicy("read", p => p.RequireRole("reader"));
            options.AddPolicy("change", p => p.RequireRole("operator"));
        });
        builder.Services.AddClusterRoutingAdmin(options =>
        {
            options.ReadPolicy = "read";
            options.ChangePolicy = "change";
        });
        await using WebApplication app = builder.Build();
        app.MapClusterRoutingAdmin("/cluster-routing");
        await app.StartAsync();
        string root = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var console = new Uri(root + "/cluster-routing/");
        IClusterAdministration refresh = app.Services.GetRequiredService<IClusterSelectorProvider>().GetAdministration("refresh");

        using var anonymous = new HttpClient { BaseAddress = console };
        using var reader = Client(console, "reader-key");
        using var operatorClient = Client(console, "operator-key");
        check((await anonymous.GetAsync(new Uri("api/clusters", UriKind.Relative))).StatusCode == HttpStatusCode.Unauthorized, "console: anonymous reads are 401");
        string clusters = await reader.GetStringAsync(new Uri("api/clusters", UriKind.Relative));
        check(clusters.Contains("\"name\":\"refresh\"", StringComparison.Ordinal), "console: a reader lists the clusters");
        string page = await reader.GetStringAsync(new Uri(string.Empty, UriKind.Relative));
        string script = await reader.GetStringAsync(new Uri("console.js", UriKind.Relative));
        check(page.Contains("console.js", StringComparison.Ordinal) && script.Contains("EventSource", StringComparison.Ordinal), "console: the page and its script are served from the package");
        using var disable = new StringContent("{\"enabled\": false}", Encoding.UTF8, "application/json");
        check((await reader.PutAsync(new Uri("api/clusters/refresh/members/gw-1/enabled", UriKind.Relative), disable)).StatusCode == HttpStatusCode.Forbidden && refresh.GetStatus().Members[0].Enabled, "console: a reader's change is 403 and changes nothing");
        using var disableAgain = new StringContent("{\"enabled\": false}", Encoding.UTF8, "application/json");
        check((await operatorClient.PutAsync(new Uri("api/clusters/refresh/members/gw-1/enabled", UriKind.Relative), disableAgain)).IsSuccessStatusCode && !refresh.GetStatus().Members[0].Enabled, "console: an operator disables a member");

        string? tool = Environment.GetEnvironmentVariable("CLUSTER_ROUTING_TOOL");
        if (tool is null || !File.Exists(tool))
        {
            check(false, "tool: CLUSTER_ROUTING_TOOL names the installed cluster-routing command");
        }
        else
        {
            (int members, string table) = await RunToolAsync(tool, "operator-key", "members", "refresh", "--url", console.ToString());
            check(members == 0 && table.Contains("gw-1", StringComparison.Ordinal) && table.Contains("disabled", StringComparison.Ordinal), "tool: members prints the cluster's table");
            (int enabled, _) = await RunToolAsync(tool, "operator-key", "enable", "refresh", "gw-1", "--url", console.ToString());
            check(enabled == 0 && refresh.GetStatus().Members[0].Enabled, "tool: enable reaches the engine");
            (int refused, _) = await RunToolAsync(tool, "reader-key", "disable", "refresh", "gw-1", "--url", console.ToString());
            check(refused == 4 && refresh.GetStatus().Members[0].Enabled, "tool: a reader's change exits 4 and changes nothing");
            (int missing, _) = await RunToolAsync(tool, "operator-key", "members", "nope", "--url", console.ToString());
            check(missing == 3, "tool: an unknown cluster exits 3");
        }

        await app.StopAsync();
    }

    private static HttpClient Client(Uri console, string key)
    {
        var client = new HttpClient { BaseAddress = console };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<(int ExitCode, string Output)> RunToolAsync(string tool, string token, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CLUSTER_ROUTING_TOKEN"] = token;
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output + await error);
    }

    /// <summary>The consumer app's scheme: two API keys, a reader's and an operator's.</summary>
    private sealed class KeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string SchemeName = "Key";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            string? header = Request.Headers.Authorization;
            string[]? roles = header switch
            {
                "Bearer reader-key" => ["reader"],
                "Bearer operator-key" => ["reader", "operator"],
                null => null,
                _ => [],
            };
            if (roles is null)
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            if (roles.Length == 0)
            {
                return Task.FromResult(AuthenticateResult.Fail("Unknown key."));
            }

            var identity = new ClaimsIdentity(roles.Select(r => new Claim(ClaimTypes.Role, r)).Append(new Claim(ClaimTypes.Name, roles[^1])), SchemeName);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
        }
    }
}
