// ClusterRouting gateway sample: the whole cluster of the gateway documents on one machine.
//
//   dotnet run --project samples/ClusterRouting.Samples.Gateway            (runs the scenario, about 40 s, and ends)
//   dotnet run --project samples/ClusterRouting.Samples.Gateway -- --serve (then keeps the router and its console up)
//
// Three members (ASP.NET Core apps with ClusterRouting.AspNetCore: their own CPU and concurrency limits, a health
// endpoint) and a router (ClusterRouting.Http: HttpClient requests routed round robin, members probed every second)
// start on 127.0.0.1. A steady load runs through the router while gw-2 turns CPU-bound, gw-3 is stopped and then
// started again. Every two seconds a table says where the requests went and why. The router also serves the
// operators' console (ClusterRouting.AspNetCore.Admin): its address and key are printed at the start.

using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using ClusterRouting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

bool serve = args.Contains("--serve");
GatewayMember[] members = [new("gw-1"), new("gw-2"), new("gw-3")];
foreach (GatewayMember member in members)
{
    await member.StartAsync();
}

// The router: the cluster, active health probing, an HttpClient routed to the members, and the operators' console.
WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
builder.Logging.ClearProviders();
builder.Services.AddClusterRouting()
    .AddCluster("gateway", o =>
    {
        o.Mode = SelectionMode.RoundRobin;
        foreach (GatewayMember member in members)
        {
            o.Members.Add(new ClusterMemberOptions(member.Id) { Address = member.Address });
        }
    })
    .AddHealthProbing(o =>
    {
        o.Interval = TimeSpan.FromSeconds(1);
        o.UnhealthyInterval = TimeSpan.FromMilliseconds(250);
    });
builder.Services.AddHttpClient("gateway", c => c.BaseAddress = new Uri("http://gateway/")).AddClusterRouting("gateway");
string key = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
{
    o.LoginPath = "/login";
    o.Cookie.SameSite = SameSiteMode.Strict;
});
builder.Services.AddAuthorization(o => o.AddPolicy("operator", p => p.RequireRole("operator")));
builder.Services.AddClusterRoutingAdmin(o =>
{
    o.ReadPolicy = "operator";
    o.ChangePolicy = "operator";
});
WebApplication router = builder.Build();
router.UseAuthentication();
router.UseAuthorization();
router.UseAntiforgery();
router.MapGet("/login", (HttpContext context, IAntiforgery antiforgery) =>
{
    AntiforgeryTokenSet tokens = antiforgery.GetAndStoreTokens(context);
    return Results.Content(
        $"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in</title></head><body><form method="post" action="/signin"><input type="hidden" name="{WebUtility.HtmlEncode(tokens.FormFieldName)}" value="{WebUtility.HtmlEncode(tokens.RequestToken)}"><label>Key <input type="password" name="key" autofocus></label> <button>Sign in</button></form></body></html>""",
        "text/html; charset=utf-8");
});
router.MapPost("/signin", async (HttpContext context, [FromForm(Name = "key")] string given) =>
{
    if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(given), System.Text.Encoding.UTF8.GetBytes(key)))
    {
        return Results.Redirect("/login");
    }

    var operatorUser = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "operator"), new Claim(ClaimTypes.Role, "operator")], CookieAuthenticationDefaults.AuthenticationScheme));
    await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, operatorUser);
    return Results.Redirect("/cluster-routing/");
});
router.MapClusterRoutingAdmin("/cluster-routing");
await router.StartAsync();
string routerUrl = router.Urls.First();
Console.WriteLine($"Members: {string.Join(", ", members.Select(m => $"{m.Id} at {m.Address}"))}");
Console.WriteLine($"Router: {routerUrl}; operators' console at {routerUrl}/cluster-routing/ (sign in at {routerUrl}/login with key {key})");
Console.WriteLine();

var cluster = (ClusterSelector)router.Services.GetRequiredService<IClusterSelectorProvider>().GetCluster("gateway");
HttpClient client = router.Services.GetRequiredService<IHttpClientFactory>().CreateClient("gateway");
var tally = new Tally();
using var wasted = new WastedAttempts();

// A steady load: 8 callers, one request after another.
using var stopLoad = new CancellationTokenSource();
Task[] callers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
{
    while (!stopLoad.IsCancellationRequested)
    {
        try
        {
            tally.Served(await client.GetStringAsync(new Uri("query", UriKind.Relative), stopLoad.Token));
        }
        catch (OperationCanceledException) when (stopLoad.IsCancellationRequested)
        {
        }
        catch (ClusterRoutingException ex)
        {
            tally.Failed(ex.GetType().Name);
            await Task.Delay(50);
        }
    }
})).ToArray();

// The scenario, second by second.
(int At, string What, Func<Task> Do)[] script =
[
    (4, "gw-2 turns CPU-bound (its own measure: 100 %; it refuses once its 1-minute average reaches 80 %)", () => { members[1].Load.SetCpu(100); return Task.CompletedTask; }),
    (22, "gw-3 is stopped", () => members[2].StopAsync()),
    (30, "gw-3 is started again", () => members[2].StartAsync()),
];
var clock = Stopwatch.StartNew();
int next = 0;
for (int second = 2; second <= 40; second += 2)
{
    while (next < script.Length && script[next].At <= second - 2)
    {
        Console.WriteLine($"t={script[next].At,2}s  {script[next].What}");
        await script[next].Do();
        next++;
    }

    await Task.Delay(TimeSpan.FromSeconds(second) - clock.Elapsed);
    Print(second, cluster.GetStatus(), tally.TakePeriod(), members);
}

await stopLoad.CancelAsync();
await Task.WhenAll(callers);
(int total, IReadOnlyDictionary<string, int> byMember, IReadOnlyDictionary<string, int> failures) = tally.Totals();
Console.WriteLine();
Console.WriteLine($"Requests served: {total} ({string.Join(", ", byMember.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}); failed: {failures.Values.Sum()}"
    + (failures.Count == 0 ? string.Empty : $" ({string.Join(", ", failures.Select(p => $"{p.Key} {p.Value}"))})"));
Console.WriteLine($"Requests refused by members (and sent elsewhere): {string.Join(", ", members.Select(m => $"{m.Id} {m.Refused}"))}; attempts wasted on a member that was down: {wasted.Count}");

if (serve)
{
    Console.WriteLine($"The router and its console stay up at {routerUrl}/cluster-routing/ until Ctrl+C.");
    await router.WaitForShutdownAsync();
}

await router.StopAsync();
await router.DisposeAsync();
foreach (GatewayMember member in members)
{
    await member.StopAsync();
}

static void Print(int second, ClusterStatus status, IReadOnlyDictionary<string, int> period, GatewayMember[] members)
{
    Console.WriteLine($"t={second,2}s  {"member",-6} {"the router's view",-34} {"served (2 s)",12} {"refused (all)",13}");
    foreach (MemberStatus member in status.Members)
    {
        string view = member.Health switch
        {
            MemberHealth.Penalized => $"offline (penalized, {member.ConsecutiveOfflineResults} failed)",
            MemberHealth.Probing => "probing",
            _ when member.Throttle != MemberRejectionReason.None => $"throttled: {member.Throttle} (CPU {member.CpuPercent:0} %)",
            _ => $"online (CPU {member.CpuPercent:0} %)",
        };
        GatewayMember gateway = members.Single(m => m.Id == member.Id);
        Console.WriteLine($"       {member.Id,-6} {view,-34} {period.GetValueOrDefault(member.Id),12} {gateway.Refused,13}");
    }
}

/// <summary>Where requests went: per member, in the current period and in all.</summary>
internal sealed class Tally
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _period = new();
    private readonly Dictionary<string, int> _total = new();
    private readonly Dictionary<string, int> _failures = new();

    public void Served(string member)
    {
        lock (_gate)
        {
            _period[member] = _period.GetValueOrDefault(member) + 1;
            _total[member] = _total.GetValueOrDefault(member) + 1;
        }
    }

    public void Failed(string kind)
    {
        lock (_gate)
        {
            _failures[kind] = _failures.GetValueOrDefault(kind) + 1;
        }
    }

    public IReadOnlyDictionary<string, int> TakePeriod()
    {
        lock (_gate)
        {
            var period = new Dictionary<string, int>(_period);
            _period.Clear();
            return period;
        }
    }

    public (int Total, IReadOnlyDictionary<string, int> ByMember, IReadOnlyDictionary<string, int> Failures) Totals()
    {
        lock (_gate)
        {
            return (_total.Values.Sum(), new Dictionary<string, int>(_total), new Dictionary<string, int>(_failures));
        }
    }
}

/// <summary>Counts, from the engine's own metric, the attempts that found a member offline: requests wasted on it.</summary>
internal sealed class WastedAttempts : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _count;

    public WastedAttempts()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ClusterRoutingTelemetry.MeterName && instrument.Name == ClusterRoutingTelemetry.OfflineAttempts)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
        _listener.Start();
    }

    public long Count => Interlocked.Read(ref _count);

    public void Dispose() => _listener.Dispose();
}
