using System.Net;
using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Http.Tests.Handler;

/// <summary>
/// The handler's less common failures, against members answered in memory: an inner handler that throws instead of
/// failing its task, a refusal whose body breaks while it is inspected, a transport error that is not an
/// <see cref="HttpRequestException"/>, and a body that breaks after the cluster was disposed.
/// </summary>
public class AttemptFailurePathTests
{
    private static readonly string[] Two = ["gw-1", "gw-2"];

    private static HttpClient Client(ClusterSelector cluster, HttpMessageHandler members, FakeLogger? logger = null, TimeProvider? timeProvider = null) =>
        new(new ClusterRoutingHandler(cluster, logger: logger, timeProvider: timeProvider) { InnerHandler = members }) { BaseAddress = new Uri($"http://{cluster.ClusterName}/") };

    private static HttpResponseMessage Text(string text) => new(HttpStatusCode.OK) { Content = new StringContent(text) };

    [Fact]
    public async Task InnerHandlerThrowingAtOnce_IsClassifiedLikeAFailedSend_AndFailsOver()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var members = new ThrowingFirst(new HttpRequestException(HttpRequestError.ConnectionError, "refused at once"), new StubMembers().On("gw-2", _ => Text("two")));
        using HttpClient client = Client(cluster, members);

        using HttpResponseMessage response = await client.PostAsync("/q", new StringContent("body"));

        Assert.Equal("two", await response.Content.ReadAsStringAsync());
        Assert.Equal(["gw-1", "gw-2"], members.Sent);
        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Equal((1, MemberHealth.Penalized), (primary.ConsecutiveOfflineResults, primary.Health));
        Assert.Equal(0, Members.TotalInFlight(cluster));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("bogus")]
    public async Task RefusalWhoseBodyBreaksWhileInspected_IsStillARefusalWhenItsRetryAfterSaysSo(string? limitHeader)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two, timeProvider: time);
        var members = new StubMembers()
            .On("gw-1", _ => BrokenServiceUnavailable(retryAfter: "7", limitHeader))
            .On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members, timeProvider: time);

        Assert.Equal("two", await client.GetStringAsync("/q"));

        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, primary.Throttle);
        Assert.Equal(TimeSpan.FromSeconds(7), primary.ThrottleRetryAfter);
        Assert.Equal(0, primary.ConsecutiveOfflineResults);
    }

    [Fact]
    public async Task ServiceUnavailableWhoseBodyBreaks_WithoutRefusalHeaders_IsTheMemberOffline()
    {
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var members = new StubMembers()
            .On("gw-1", _ => BrokenServiceUnavailable(retryAfter: null, limitHeader: null))
            .On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members);

        Assert.Equal("two", await client.GetStringAsync("/q"));

        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Equal(MemberRejectionReason.None, primary.Throttle);
        Assert.Equal(1, primary.ConsecutiveOfflineResults);
    }

    [Theory]
    [InlineData(false, "IOException")]
    [InlineData(true, "connect timeout")]
    public async Task TransportErrorThatIsNotAnHttpRequestException_IsLoggedByWhatItSays(bool connectTimeout, string described)
    {
        Exception failure = connectTimeout ? new OperationCanceledException("connect", new TimeoutException()) : new IOException("reset by a handler below");
        var logger = new FakeLogger();
        using ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var members = new StubMembers().On("gw-1", _ => throw failure).On("gw-2", _ => Text("two"));
        using HttpClient client = Client(cluster, members, logger);

        Assert.Equal("two", await client.GetStringAsync("/q"));

        FakeLogRecord unreachable = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 101);
        Assert.Equal($"Member gw-1 of cluster refresh failed the request ({described}): it is reported offline.", unreachable.Message);
        Assert.Same(failure, unreachable.Exception);
    }

    [Fact]
    public async Task BodyBreakingAfterTheClusterWasDisposed_ThrowsTheMembersFailure()
    {
        ClusterSelector cluster = StubMembers.Cluster("refresh", Two);
        var failure = new HttpIOException(HttpRequestError.ResponseEnded, "premature end");
        var members = new StubMembers().On("gw-1", _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new BrokenStream(failure)) });
        using HttpClient client = Client(cluster, members);
        using HttpResponseMessage response = await client.GetAsync("/q", HttpCompletionOption.ResponseHeadersRead);
        Stream body = await response.Content.ReadAsStreamAsync();

        cluster.Dispose();

        HttpIOException thrown = await Assert.ThrowsAsync<HttpIOException>(() => body.ReadAsync(new byte[8]).AsTask());
        Assert.Same(failure, thrown);
    }

    private static HttpResponseMessage BrokenServiceUnavailable(string? retryAfter, string? limitHeader)
    {
        var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
        {
            Content = new StreamContent(new BrokenStream(new HttpIOException(HttpRequestError.ResponseEnded, "premature end"))),
        };
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        if (limitHeader is not null)
        {
            response.Headers.TryAddWithoutValidation("ClusterRouting-Limit", limitHeader);
        }

        return response;
    }

    /// <summary>An inner handler whose first send throws before returning a task; the others go to <paramref name="rest"/>.</summary>
    private sealed class ThrowingFirst(Exception failure, HttpMessageHandler rest) : DelegatingHandler(rest)
    {
        private int _sends;

        public List<string> Sent { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Sent.Add(request.RequestUri!.Host[..^".test".Length]);
            if (Interlocked.Increment(ref _sends) == 1)
            {
                throw failure;
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class BrokenStream(Exception failure) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw failure;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(failure);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
