using Microsoft.Extensions.Logging;

namespace ClusterRouting.Http.Tests.TestSupport;

/// <summary>Starts loopback members and builds clusters and clients over them.</summary>
internal static class Members
{
    /// <summary>A hard limit for any one wait in a test: a hang becomes a failure.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<HttpMember[]> StartAsync(int count)
    {
        var members = new HttpMember[count];
        for (int i = 0; i < count; i++)
        {
            members[i] = await HttpMember.StartAsync($"gw-{i + 1}");
        }

        return members;
    }

    public static async Task DisposeAllAsync(IEnumerable<HttpMember> members)
    {
        foreach (HttpMember member in members)
        {
            await member.DisposeAsync();
        }
    }

    /// <summary>A cluster whose members are reached at the loopback members' addresses, in order.</summary>
    public static ClusterSelector Cluster(IReadOnlyList<HttpMember> members, SelectionMode mode = SelectionMode.Failover, Action<ClusterOptions>? configure = null, TimeProvider? timeProvider = null, string name = "refresh")
    {
        var options = new ClusterOptions { Mode = mode };
        foreach (HttpMember member in members)
        {
            options.Members.Add(new ClusterMemberOptions(member.MemberId) { Address = member.Address });
        }

        configure?.Invoke(options);
        return new ClusterSelector(name, options, timeProvider);
    }

    /// <summary>A client whose requests go through a <see cref="ClusterRoutingHandler"/> on <paramref name="cluster"/> to real sockets.</summary>
    public static HttpClient Client(IClusterSelector cluster, ClusterRoutingHandlerOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        var handler = new ClusterRoutingHandler(cluster, options, logger, timeProvider)
        {
            InnerHandler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) },
        };
        return new HttpClient(handler) { BaseAddress = new Uri($"http://{cluster.ClusterName}/"), Timeout = Timeout };
    }

    /// <summary>Waits until <paramref name="condition"/> holds, polling, or fails after <see cref="Timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        DateTime deadline = DateTime.UtcNow + Timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}.");
            }

            await Task.Delay(5);
        }
    }

    public static int InFlight(IClusterSelector cluster, string memberId) =>
        cluster.GetStatus().Members.Single(m => m.Id == memberId).InFlight;

    public static int TotalInFlight(IClusterSelector cluster) =>
        cluster.GetStatus().Members.Sum(m => m.InFlight);
}
