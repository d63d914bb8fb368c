// Exercises the packed ClusterRouting.Http package against members answered in process (an HttpMessageHandler that
// plays three gateways at http://gw-N.test/): routing by the cluster's name, failover, refusals, the lease held by the
// response, typed errors and the IHttpClientFactory registration.
using System.Net;
using ClusterRouting;
using ClusterRouting.Http;
using Microsoft.Extensions.DependencyInjection;

internal static class HttpChecks
{
    private const string Cpu = "The gateway you selected can't establish data source connections because it's exceeded the CPU limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.";

    public static async Task RunAsync(Action<bool, string> check)
    {
        var members = new Members();
        using var cluster = new ClusterSelector("refresh", new ClusterOptions
        {
            Members =
            {
                new("gw-1") { Address = new Uri("http://gw-1.test/base/") },
                new("gw-2") { Address = new Uri("http://gw-2.test/") },
                new("gw-3") { Address = new Uri("http://gw-3.test/") },
            },
        });
        using var client = new HttpClient(new ClusterRoutingHandler(cluster) { InnerHandler = members }) { BaseAddress = new Uri("http://refresh/") };

        string answer = await client.GetStringAsync("query?x=1");
        check(answer == "gw-1" && members.Last == "http://gw-1.test/base/query?x=1", "http: a request for http://refresh/ goes to the primary's address, base path kept");

        members.Down.Add("gw-1");
        answer = await client.GetStringAsync("query");
        check(answer == "gw-2" && cluster.GetStatus().Members[0].Health == MemberHealth.Penalized, "http: an unreachable member is penalized and the request fails over");

        members.Refusing.Add("gw-2");
        answer = await client.GetStringAsync("query");
        check(answer == "gw-3" && cluster.GetStatus().Members[1].Throttle == MemberRejectionReason.CpuLimit, "http: a 503 with the CPU sentence is a refusal for the CPU limit");

        using (HttpResponseMessage streamed = await client.GetAsync("query", HttpCompletionOption.ResponseHeadersRead))
        {
            check(cluster.GetStatus().Members[2].InFlight == 1, "http: an unread response holds the member's slot");
        }

        check(cluster.GetStatus().Members[2].InFlight == 0, "http: disposing the response frees the slot");

        members.Down.Add("gw-3");
        try
        {
            await client.GetStringAsync("query");
            check(false, "http: every member failing ends in a typed error");
        }
        catch (AllMembersFailedException ex)
        {
            // gw-2 refused (routed around), gw-3 down, and the penalized gw-1 tried last.
            check(
                string.Join(",", ex.Attempts.Select(a => $"{a.MemberId}:{a.Outcome}")) == "gw-3:Offline,gw-1:Offline",
                "http: every member failing ends in AllMembersFailedException listing each member tried once");
        }
        catch (ClusterRoutingException ex)
        {
            check(ex is NoMemberAvailableException, "http: every member failing ends in a typed error");
        }

        members.Down.Clear();
        members.Refusing.Clear();
        members.Refusing.Add("gw-1");
        using var fresh = new ClusterSelector("upload", new ClusterOptions { Members = { new("gw-1") { Address = new Uri("http://gw-1.test/") }, new("gw-2") { Address = new Uri("http://gw-2.test/") } } });
        using var uploads = new HttpClient(new ClusterRoutingHandler(fresh) { InnerHandler = members }) { BaseAddress = new Uri("http://upload/") };
        int before = members.Count;
        try
        {
            await uploads.PostAsync("upload", new StreamContent(new OnceStream()));
            check(false, "http: a refused POST with a one-shot body is not sent again");
        }
        catch (RequestNotReplayableException)
        {
            check(members.Count == before + 1, "http: a refused POST with a one-shot body is not sent again");
        }

        var services = new ServiceCollection();
        services.AddClusterRouting().AddCluster("di", o => o.Members.Add(new ClusterMemberOptions("gw-2") { Address = new Uri("http://gw-2.test/") }));
        services.AddHttpClient("di", c => c.BaseAddress = new Uri("http://di/"))
            .AddClusterRouting("di")
            .ConfigurePrimaryHttpMessageHandler(() => new Members());
        await using ServiceProvider provider = services.BuildServiceProvider();
        answer = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("di").GetStringAsync("query");
        check(answer == "gw-2", "http: AddHttpClient(...).AddClusterRouting(name) routes through the registered cluster");
    }

    // Three gateways in process: each answers its id; one that is down refuses the connection, one that is refusing
    // answers 503 with the CPU sentence and Retry-After.
    private sealed class Members : HttpMessageHandler
    {
        private int _count;

        public HashSet<string> Down { get; } = [];

        public HashSet<string> Refusing { get; } = [];

        public string? Last { get; private set; }

        public int Count => _count;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string member = request.RequestUri!.Host.Replace(".test", string.Empty, StringComparison.Ordinal);
            if (Down.Contains(member))
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connection refused ({request.RequestUri.Authority})");
            }

            Interlocked.Increment(ref _count);
            Last = request.RequestUri.AbsoluteUri;
            if (request.Content is not null)
            {
                await request.Content.CopyToAsync(Stream.Null, cancellationToken);
            }

            if (Refusing.Contains(member))
            {
                var refusal = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent(Cpu) };
                refusal.Headers.TryAddWithoutValidation("Retry-After", "30");
                return refusal;
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(member) };
        }
    }

    private sealed class OnceStream : MemoryStream
    {
        public OnceStream()
            : base([1, 2, 3])
        {
        }

        public override bool CanSeek => false;
    }
}
