using System.Diagnostics;
using System.Text.Json;

namespace ClusterRouting.Admin.Tests;

/// <summary>The live feed: server-sent events of every cluster at each refresh interval, following changes, ending when the application stops.</summary>
public sealed class EventStreamTests
{
    [Fact]
    public async Task Events_CarryEveryCluster_AndFollowAChange()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync(configureAdmin: o => o.RefreshInterval = TimeSpan.FromMilliseconds(100));
        using HttpClient client = host.Client(TestUsers.Reader);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using HttpResponseMessage response = await client.GetAsync(new Uri("/cluster-routing/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.CacheControl!.NoStore);
        Assert.Equal("no", response.Headers.GetValues("X-Accel-Buffering").Single());
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        Assert.Equal("retry: 2000", await reader.ReadLineAsync(timeout.Token));

        JsonElement first = await NextOverviewAsync(reader, timeout.Token);
        Assert.Equal(["refresh", "sales"], first.GetProperty("clusters").EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        Assert.True(first.GetProperty("clusters")[1].Member("gw-1").GetProperty("enabled").GetBoolean());

        host.Clusters.GetAdministration("sales").SetMemberEnabled("gw-1", false);
        JsonElement next;
        do
        {
            next = await NextOverviewAsync(reader, timeout.Token);
        }
        while (next.GetProperty("clusters")[1].Member("gw-1").GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task Events_EndWhenTheApplicationStops()
    {
        AdminTestHost host = await AdminTestHost.StartAsync();
        using HttpClient client = host.Client(TestUsers.Reader);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using HttpResponseMessage response = await client.GetAsync(new Uri("/cluster-routing/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        await NextOverviewAsync(reader, timeout.Token);

        var stopping = Stopwatch.StartNew();
        await host.DisposeAsync().AsTask().WaitAsync(timeout.Token);

        // The host waits for open requests up to its shutdown timeout (30 s): a stream that ignored the stop would hold it.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stopping took {stopping.Elapsed}");
    }

    private static async Task<JsonElement> NextOverviewAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        string? eventName = null;
        while (await reader.ReadLineAsync(cancellationToken) is string line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventName == "overview")
            {
                return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            }
        }

        throw new InvalidOperationException("The stream ended before an overview event.");
    }
}
