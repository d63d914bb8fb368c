// ClusterRouting failover sample: a primary gateway goes down and comes back.
//
// Three real gateways run on loopback (small Kestrel servers answering GET /work with their id) and an HttpClient
// whose ClusterRoutingHandler routes to a cluster in Failover mode sends 200 requests to http://reports/work, 20 ms
// apart. The request names the cluster, not a gateway: the handler sends it to the address of the member the cluster
// selects, and fails over when that member can't be reached.
//   1. Everything goes to the primary, gw-0.
//   2. gw-0 is stopped: its port refuses connections. The first request that tries it fails over to gw-1 at once,
//      and gw-0 is penalized: it is tried last, except for one probe request each time its penalty ends. The
//      penalty doubles after each failed probe, so the outage costs only a few wasted attempts, not one per request.
//   3. gw-0 is restarted on the same port. The next probe succeeds and the primary takes the traffic back.
// Penalties here are 200 ms doubling up to 1 s, so that the story fits in a few seconds (the defaults are 5 s and
// 60 s). Status columns show each member's health with its consecutive offline results, e.g. Penalized(2). The
// "!" and "probe" lines come from the handler's log events (101 MemberUnreachable, 100 RequestRouted).

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ClusterRouting;
using ClusterRouting.Http;

const int Requests = 200;
const int StopAt = 60;      // the primary goes down before this request...
const int RestartAt = 120;  // ...and comes back before this one
const int PrintEvery = 10;
TimeSpan spacing = TimeSpan.FromMilliseconds(20);
string[] ids = ["gw-0", "gw-1", "gw-2"];

var gateways = new Dictionary<string, WebApplication>();
var ports = new Dictionary<string, int>();
foreach (string id in ids)
{
    (gateways[id], ports[id]) = await StartGatewayAsync(id, port: 0);
    Console.WriteLine($"{id} listens on http://127.0.0.1:{ports[id]}/{(id == ids[0] ? " (primary)" : string.Empty)}");
}

var cluster = new ClusterSelector("reports", new ClusterOptions
{
    Members =
    {
        new("gw-0") { Address = new Uri($"http://127.0.0.1:{ports["gw-0"]}/") },
        new("gw-1") { Address = new Uri($"http://127.0.0.1:{ports["gw-1"]}/") },
        new("gw-2") { Address = new Uri($"http://127.0.0.1:{ports["gw-2"]}/") },
    },
    Mode = SelectionMode.Failover,
    OfflinePenaltyBaseDuration = TimeSpan.FromMilliseconds(200),
    OfflinePenaltyMaxDuration = TimeSpan.FromSeconds(1),
});

int request = 0;
var events = new HandlerEvents(() => request);
using var http = new HttpClient(new ClusterRoutingHandler(cluster, logger: events) { InnerHandler = new SocketsHttpHandler() })
{
    BaseAddress = new Uri("http://reports/"),
    Timeout = TimeSpan.FromSeconds(2),
};
var served = ids.ToDictionary(id => id, _ => 0);
int answered = 0;
string? lastServer = null;
string lastStatus = Describe(cluster.GetStatus());

Console.WriteLine();
Console.WriteLine($"request  served by  {string.Join("  ", ids.Select(id => id.PadRight(13)))}".TrimEnd());
for (request = 1; request <= Requests; request++)
{
    if (request == StopAt)
    {
        await gateways["gw-0"].StopAsync();
        Console.WriteLine(">>> gw-0 stopped: its port refuses connections.");
    }
    else if (request == RestartAt)
    {
        await gateways["gw-0"].DisposeAsync();
        (gateways["gw-0"], _) = await StartGatewayAsync("gw-0", ports["gw-0"]);
        Console.WriteLine($">>> gw-0 restarted on the same address, http://127.0.0.1:{ports["gw-0"]}/.");
    }

    // A penalty ends between requests (on the cluster's timer): show the member waiting for its probe.
    string before = Describe(cluster.GetStatus());
    if (before != lastStatus)
    {
        Console.WriteLine($"{request,7}  {"-",-9}  {before}  <- penalty over: this request probes gw-0".TrimEnd());
    }

    string server = await http.GetStringAsync("work");
    served[server]++;
    answered++;
    lastStatus = Describe(cluster.GetStatus());
    if (request % PrintEvery == 0 || server != lastServer || lastStatus != before)
    {
        Console.WriteLine($"{request,7}  {server,-9}  {lastStatus}".TrimEnd());
    }

    lastServer = server;
    await Task.Delay(spacing);
}

Console.WriteLine();
Console.WriteLine($"Summary: {answered} of {Requests} requests answered.");
foreach (string id in ids)
{
    Console.WriteLine($"  {id} served {served[id],3}");
}

Console.WriteLine($"  attempts wasted on the stopped gw-0: {events.Unreachable}, for {RestartAt - StopAt} requests during the outage");
Console.WriteLine("  (without offline tracking, every one of those requests would have tried gw-0 first).");

foreach (WebApplication gateway in gateways.Values)
{
    await gateway.DisposeAsync();
}

// Each member's health, with its consecutive offline results when there are any: "Online  Penalized(2)  Online".
static string Describe(ClusterStatus status) => string.Join("  ", status.Members.Select(m =>
    (m.ConsecutiveOfflineResults == 0 ? $"{m.Health}" : $"{m.Health}({m.ConsecutiveOfflineResults})").PadRight(13)));

// A gateway: a Kestrel server on 127.0.0.1 that answers GET /work with its id. Port 0 picks a free port; the port
// actually bound is read from the server's addresses once it has started.
static async Task<(WebApplication App, int Port)> StartGatewayAsync(string id, int port)
{
    WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
    WebApplication app = builder.Build();
    app.MapGet("/work", () => id);
    await app.StartAsync();
    string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
    return (app, new Uri(address).Port);
}

// Prints the handler's events that tell the story: a failed attempt (101 MemberUnreachable) and a probe request
// (100 RequestRouted with IsProbe), and counts the failed attempts.
internal sealed class HandlerEvents(Func<int> currentRequest) : ILogger
{
    public int Unreachable { get; private set; }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
        object? Value(string name) => values.FirstOrDefault(v => v.Key == name).Value;
        if (eventId.Id == 101)
        {
            Unreachable++;
            Console.WriteLine($"{currentRequest(),7}  ! attempt on {Value("MemberId")} failed ({Value("Failure")}): penalized, trying the next member");
        }
        else if (eventId.Id == 100 && Value("IsProbe") is true)
        {
            Console.WriteLine($"{currentRequest(),7}  probe request to {Value("MemberId")}");
        }
    }
}
