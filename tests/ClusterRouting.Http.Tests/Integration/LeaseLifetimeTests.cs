using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Http.Tests.Integration;

/// <summary>
/// The member's lease lasts as long as the operation: until the body is read to the end or the response is disposed.
/// Real Kestrel members stream their bodies; the in-flight count is read from the cluster.
/// </summary>
public sealed class LeaseLifetimeTests : IAsyncLifetime
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HttpMember[] _members = [];

    public async Task InitializeAsync()
    {
        _members = await Members.StartAsync(2);

        // gw-1 streams "first|", then waits for the gate, then "second".
        _members[0].Behavior = async context =>
        {
            await context.Response.WriteAsync("first|");
            await context.Response.Body.FlushAsync();
            await _gate.Task;
            await context.Response.WriteAsync("second");
        };
    }

    public async Task DisposeAsync()
    {
        _gate.TrySetResult();
        await Members.DisposeAllAsync(_members);
    }

    [Fact]
    public async Task ResponseReadSlowly_KeepsItsLeaseUntilDisposed()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        using HttpClient client = Members.Client(cluster);
        HttpResponseMessage response = await client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead);
        Stream body = await response.Content.ReadAsStreamAsync();
        byte[] first = new byte[6];
        await body.ReadExactlyAsync(first).AsTask().WaitAsync(Members.Timeout);
        Assert.Equal("first|", System.Text.Encoding.UTF8.GetString(first));

        Assert.Equal(1, Members.InFlight(cluster, "gw-1"));
        await Task.Delay(200);
        Assert.Equal(1, Members.InFlight(cluster, "gw-1"));

        response.Dispose();
        Assert.Equal(0, Members.InFlight(cluster, "gw-1"));
        response.Dispose();
        Assert.Equal(0, Members.TotalInFlight(cluster));
    }

    [Fact]
    public async Task ResponseReadToTheEnd_ReleasesTheLeaseBeforeDispose()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        using HttpClient client = Members.Client(cluster);
        using HttpResponseMessage response = await client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(1, Members.InFlight(cluster, "gw-1"));

        _gate.SetResult();
        Assert.Equal("first|second", await reader.ReadToEndAsync().WaitAsync(Members.Timeout));

        Assert.Equal(0, Members.InFlight(cluster, "gw-1"));
    }

    [Fact]
    public async Task ResponseNeverRead_DisposeFreesTheSlot()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        using HttpClient client = Members.Client(cluster);
        HttpResponseMessage response = await client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(1, Members.InFlight(cluster, "gw-1"));

        response.Dispose();

        Assert.Equal(0, Members.InFlight(cluster, "gw-1"));
        Assert.Equal(0, cluster.GetStatus().Members[0].ConsecutiveOfflineResults);
    }

    [Fact]
    public async Task ContentDisposedAlone_FreesTheSlot()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        using HttpClient client = Members.Client(cluster);
        using HttpResponseMessage response = await client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead);
        Stream body = await response.Content.ReadAsStreamAsync();
        Assert.Equal(1, Members.InFlight(cluster, "gw-1"));

        await body.DisposeAsync();

        Assert.Equal(0, Members.InFlight(cluster, "gw-1"));
    }

    [Fact]
    public async Task ReadCanceledMidBody_FreesTheSlotAndPenalizesNobody()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        using HttpClient client = Members.Client(cluster);
        using HttpResponseMessage response = await client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead);
        Stream body = await response.Content.ReadAsStreamAsync();
        await body.ReadExactlyAsync(new byte[6]).AsTask().WaitAsync(Members.Timeout);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => body.ReadAsync(new byte[100], cancel.Token).AsTask().WaitAsync(Members.Timeout));

        Assert.Equal(0, Members.InFlight(cluster, "gw-1"));
        Assert.Equal(0, cluster.GetStatus().Members[0].ConsecutiveOfflineResults);
    }

    [Fact]
    public async Task MemberResetsTheConnectionMidResponse_FreesTheSlotAndReportsTheMemberOffline()
    {
        var logger = new FakeLogger();
        using ClusterSelector cluster = Members.Cluster(_members[..1]);
        using HttpClient client = Members.Client(cluster, logger: logger);
        _members[0].Behavior = async context =>
        {
            context.Response.ContentLength = 1000;
            await context.Response.WriteAsync("only ten b");
            await context.Response.Body.FlushAsync();
            await _gate.Task;
            context.Abort();
        };
        using HttpResponseMessage response = await client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead);
        Stream body = await response.Content.ReadAsStreamAsync();
        await body.ReadExactlyAsync(new byte[10]).AsTask().WaitAsync(Members.Timeout);
        _gate.SetResult();

        await Assert.ThrowsAnyAsync<IOException>(() => body.CopyToAsync(Stream.Null).WaitAsync(Members.Timeout));

        Assert.Equal(0, Members.InFlight(cluster, "gw-1"));
        Assert.Equal(1, cluster.GetStatus().Members[0].ConsecutiveOfflineResults);
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 106 && r.Id.Name == "ResponseBodyFailed");
    }

    [Fact]
    public async Task MemberResetsMidResponse_BufferedRead_ThrowsFreesTheSlotAndReportsOffline()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        var headersArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var routing = new ClusterRoutingHandler(cluster) { InnerHandler = new SocketsHttpHandler() };
        using var client = new HttpClient(new SignalHeaders(headersArrived) { InnerHandler = routing }) { BaseAddress = new Uri("http://refresh/") };
        _members[0].Behavior = async context =>
        {
            context.Response.ContentLength = 1000;
            await context.Response.WriteAsync("only ten b");
            await context.Response.Body.FlushAsync();

            // Dropped once the client has the headers and is buffering the body.
            await headersArrived.Task;
            context.Abort();
        };

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("/stream").WaitAsync(Members.Timeout));

        Assert.Equal(0, Members.InFlight(cluster, "gw-1"));
        Assert.Equal(1, cluster.GetStatus().Members[0].ConsecutiveOfflineResults);
        Assert.Equal(0, _members[1].Requests);
    }

    [Fact]
    public async Task BufferedReads_ReleaseTheLeaseByTheTimeTheyReturn()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        using HttpClient client = Members.Client(cluster);
        _members[0].Behavior = null;

        using (HttpResponseMessage response = await client.GetAsync("/work"))
        {
            Assert.Equal(0, Members.InFlight(cluster, "gw-1"));
            Assert.Equal("gw-1", await response.Content.ReadAsStringAsync());
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(4, response.Content.Headers.ContentLength);
            Assert.Equal("member", response.Content.Headers.ContentLanguage.Single());
        }

        Assert.Equal("gw-1", await client.GetStringAsync("/work"));
        Assert.Equal(0, Members.InFlight(cluster, "gw-1"));
        Assert.Equal("gw-1"u8.ToArray(), await client.GetByteArrayAsync("/work"));
        Assert.Equal(0, Members.InFlight(cluster, "gw-1"));
    }

    [Fact]
    public async Task ManyStreamedResponses_EveryLeaseEndsWhenItsResponseDoes()
    {
        using ClusterSelector cluster = Members.Cluster(_members, SelectionMode.RoundRobin);
        using HttpClient client = Members.Client(cluster);
        _members[0].Behavior = null;
        var responses = new List<HttpResponseMessage>();
        for (int i = 0; i < 20; i++)
        {
            responses.Add(await client.GetAsync("/work", HttpCompletionOption.ResponseHeadersRead));
        }

        Assert.Equal(20, Members.TotalInFlight(cluster));
        for (int i = 0; i < responses.Count; i++)
        {
            if (i % 2 == 0)
            {
                await responses[i].Content.ReadAsStringAsync();
            }
            else
            {
                responses[i].Dispose();
            }
        }

        Assert.Equal(0, Members.TotalInFlight(cluster));
        responses.ForEach(r => r.Dispose());
        Assert.Equal(0, Members.TotalInFlight(cluster));
    }

    /// <summary>Outside the routing handler: says when the response headers came back, before HttpClient reads the body.</summary>
    private sealed class SignalHeaders(TaskCompletionSource arrived) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken);
            arrived.TrySetResult();
            return response;
        }
    }
}
