using System.Net;
using ClusterRouting.Http.Tests.TestSupport;

namespace ClusterRouting.Http.Tests.Handler;

/// <summary>
/// What the handler allocates per request beyond the inner handler, measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> over many requests after a warm-up (an inner handler that answers
/// synchronously keeps every allocation on this thread). The budget is the content wrapper that holds the lease
/// (the wrapper, 88 B, and its copy of the content headers, about 150 B) and the task of the request: 336 B when
/// written; a regression gate, not a target.
/// </summary>
[Collection(nameof(AllocationTests))]
[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public class AllocationTests
{
    private const int Requests = 20_000;
    private const int BudgetBytes = 400;

    [Fact]
    public void SendAsync_SteadyStateAnswer_AllocatesOnlyTheLeaseWrapperAndTheTask()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", ["gw-1", "gw-2"]);
        using var plain = new HttpMessageInvoker(new SyncMember());
        using var routed = new HttpMessageInvoker(new ClusterRoutingHandler(cluster) { InnerHandler = new SyncMember() });
        var memberUri = new Uri("http://gw-1.test/work");
        var clusterUri = new Uri("http://refresh/work");

        long baseline = PerRequest(plain, memberUri);
        long withRouting = PerRequest(routed, clusterUri);

        Assert.True(withRouting - baseline <= BudgetBytes, $"The handler allocated {withRouting - baseline} B per request beyond the inner handler's {baseline} B; the budget is {BudgetBytes} B.");
        Assert.Equal(0, Members.TotalInFlight(cluster));
    }

    private static long PerRequest(HttpMessageInvoker invoker, Uri uri)
    {
        for (int i = 0; i < 1_000; i++)
        {
            One(invoker, uri);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Requests; i++)
        {
            One(invoker, uri);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / Requests;
    }

    private static void One(HttpMessageInvoker invoker, Uri uri)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        Task<HttpResponseMessage> send = invoker.SendAsync(request, CancellationToken.None);
        Assert.True(send.IsCompletedSuccessfully);
        using HttpResponseMessage response = send.Result;
        Task buffer = response.Content.LoadIntoBufferAsync();
        Assert.True(buffer.IsCompletedSuccessfully);
    }

    /// <summary>A member that answers at once, with a content like SocketsHttpHandler's (Content-Length and Content-Type headers).</summary>
    private sealed class SyncMember : HttpMessageHandler
    {
        private static readonly byte[] Body = "ok"u8.ToArray();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(Body);
            content.Headers.TryAddWithoutValidation("Content-Length", "2");
            content.Headers.TryAddWithoutValidation("Content-Type", "text/plain");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content, RequestMessage = request });
        }
    }
}
