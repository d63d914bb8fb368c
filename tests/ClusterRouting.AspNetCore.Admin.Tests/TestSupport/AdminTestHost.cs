using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Admin.Tests;

/// <summary>
/// A real application on Kestrel at 127.0.0.1 (port 0) that maps the console at <c>/cluster-routing</c>, as an app
/// would: two clusters from configuration, a bearer-token scheme for scripts and cookies for the browser (signed in at
/// <c>/test/sign-in?as=NAME</c>), a read policy (role reader) and a change policy (role operator), and (unless told
/// otherwise) a CORS policy that lets any origin in, to show the console takes no part in it.
/// </summary>
public sealed class AdminTestHost : IAsyncDisposable
{
    public const string ReadPolicy = "cluster-routing.read";
    public const string ChangePolicy = "cluster-routing.change";
    public const string Prefix = "/cluster-routing";

    private AdminTestHost(WebApplication app, MemoryConfigurationProvider configuration, IConfigurationRoot root)
    {
        App = app;
        Configuration = configuration;
        ConfigurationRoot = root;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        Clusters = app.Services.GetRequiredService<IClusterSelectorProvider>();
        Log = app.Services.GetFakeLogCollector();
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public IClusterSelectorProvider Clusters { get; }

    public FakeLogCollector Log { get; }

    /// <summary>The in-memory configuration source holding the clusters: set keys, then <see cref="Reload"/>.</summary>
    public MemoryConfigurationProvider Configuration { get; }

    public IConfigurationRoot ConfigurationRoot { get; }

    /// <summary>The two clusters: sales (Failover, three members, CPU threshold 80, limit 5) and refresh (RoundRobin, two members on different versions).</summary>
    public static Dictionary<string, string?> DefaultClusters() => new()
    {
        ["ClusterRouting:sales:Mode"] = "Failover",
        ["ClusterRouting:sales:Members:0:Id"] = "gw-1",
        ["ClusterRouting:sales:Members:0:Version"] = "3000.250.5",
        ["ClusterRouting:sales:Members:1:Id"] = "gw-2",
        ["ClusterRouting:sales:Members:1:Version"] = "3000.250.5",
        ["ClusterRouting:sales:Members:2:Id"] = "gw-3",
        ["ClusterRouting:sales:Members:2:Version"] = "3000.250.5",
        ["ClusterRouting:sales:CPUUtilizationPercentageThreshold"] = "80",
        ["ClusterRouting:sales:ConcurrentOperationLimitPreview"] = "5",
        ["ClusterRouting:refresh:Mode"] = "RoundRobin",
        ["ClusterRouting:refresh:Members:0:Id"] = "rf-1",
        ["ClusterRouting:refresh:Members:0:Version"] = "3000.250.5",
        ["ClusterRouting:refresh:Members:1:Id"] = "rf-2",
        ["ClusterRouting:refresh:Members:1:Version"] = "3000.260.3",
    };

    public static async Task<AdminTestHost> StartAsync(
        Dictionary<string, string?>? clusters = null,
        Action<ClusterRoutingAdminOptions>? configureAdmin = null,
        Action<IServiceCollection>? configureServices = null,
        bool cors = true)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders().AddFakeLogging().SetMinimumLevel(LogLevel.Information);

        var source = new MemoryConfigurationSource { InitialData = clusters ?? DefaultClusters() };
        var root = new ConfigurationBuilder().Add(source).Build();
        var provider = (MemoryConfigurationProvider)root.Providers.Single();
        builder.Services.AddClusterRouting(root.GetSection("ClusterRouting"));

        builder.Services.AddAuthentication("Smart")
            .AddPolicyScheme("Smart", "Bearer token or cookie", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 ? TokenAuthenticationHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.Events.OnRedirectToLogin = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                };
                o.Events.OnRedirectToAccessDenied = context =>
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    return Task.CompletedTask;
                };
            });
        builder.Services.AddAuthorization(o =>
        {
            o.AddPolicy(ReadPolicy, p => p.RequireRole("reader"));
            o.AddPolicy(ChangePolicy, p => p.RequireRole("operator"));
        });
        if (cors)
        {
            builder.Services.AddCors(o => o.AddDefaultPolicy(p => p.SetIsOriginAllowed(_ => true).AllowAnyHeader().AllowAnyMethod().AllowCredentials()));
        }
        builder.Services.AddClusterRoutingAdmin(o =>
        {
            o.ReadPolicy = ReadPolicy;
            o.ChangePolicy = ChangePolicy;
            configureAdmin?.Invoke(o);
        });

        configureServices?.Invoke(builder.Services);
        WebApplication app = builder.Build();
        if (cors)
        {
            app.UseCors();
        }
        app.MapGet("/test/ping", () => "pong");
        app.MapGet("/test/sign-in", async (HttpContext context, string @as) =>
        {
            TestUser user = TestUsers.ByName(@as) ?? throw new ArgumentException("No such user.", nameof(@as));
            await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, user.Principal(CookieAuthenticationDefaults.AuthenticationScheme));
            return Results.Redirect(Prefix + "/");
        });
        app.MapClusterRoutingAdmin(Prefix);
        await app.StartAsync();
        return new AdminTestHost(app, provider, root);
    }

    /// <summary>A client that authenticates with the user's bearer token, or anonymously, and keeps no cookies, as a script does.</summary>
    public HttpClient Client(TestUser? user = null)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = BaseAddress };
        if (user is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
        }

        return client;
    }

    /// <summary>A client with a cookie jar, signed in as the user the way a browser is.</summary>
    public async Task<(HttpClient Client, CookieContainer Cookies)> CookieClientAsync(TestUser user)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, UseCookies = true }) { BaseAddress = BaseAddress };
        using HttpResponseMessage response = await client.GetAsync(new Uri("/test/sign-in?as=" + user.Name, UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return (client, cookies);
    }

    /// <summary>Sets configuration keys and reloads, as a saved appsettings.json would.</summary>
    public void Reload(Dictionary<string, string?> changes)
    {
        foreach ((string key, string? value) in changes)
        {
            Configuration.Set(key, value);
        }

        ConfigurationRoot.Reload();
    }

    /// <summary>Every cluster's state, as text, for checking that a refused request changed nothing.</summary>
    public string Snapshot()
    {
        var lines = new List<string>();
        foreach (string name in Clusters.ClusterNames.Order(StringComparer.Ordinal))
        {
            ClusterStatus status = Clusters.GetAdministration(name).GetStatus();
            lines.Add($"{name}: {status.Mode}");
            foreach (MemberStatus member in status.Members)
            {
                lines.Add($"  {member.Id} enabled={member.Enabled}");
            }
        }

        return string.Join('\n', lines);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
