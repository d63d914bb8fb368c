using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Http.Tests.Probing;

/// <summary>One probe against an answer in memory (the probing service's tests send them to real servers).</summary>
public sealed class MemberProberTests
{
    [Fact]
    public async Task AnAnswerWhoseContentLengthIsOver64KiB_FailsTheProbeWithoutReadingIt()
    {
        var body = new TrackedContent(new byte[(64 * 1024) + 1]);
        var prober = new MemberProber(() => new HttpClient(new Answering(body)), new HealthProbingOptions(), new FakeTimeProvider());

        ProbeOutcome outcome = await prober.ProbeAsync(new Uri("http://127.0.0.1:1/"), CancellationToken.None);

        Assert.Null(outcome.Answer);
        Assert.Equal("its answer is larger than 65536 bytes", outcome.Failure);
        Assert.False(body.Read);
    }

    [Fact]
    public async Task AnAnswerOfExactly64KiB_IsRead()
    {
        const int Limit = 64 * 1024;
        string json = """{"id":"gw-1","version":"3000.9"}""";
        byte[] padded = Encoding.UTF8.GetBytes(json + new string(' ', Limit - json.Length));
        var prober = new MemberProber(() => new HttpClient(new Answering(new ByteArrayContent(padded))), new HealthProbingOptions(), new FakeTimeProvider());

        ProbeOutcome outcome = await prober.ProbeAsync(new Uri("http://127.0.0.1:1/"), CancellationToken.None);

        Assert.Equal(Limit, padded.Length);
        Assert.Equal(("gw-1", "3000.9", null), (outcome.Answer?.Id, outcome.Answer?.Version, outcome.Failure));
    }

    [Fact]
    public async Task AnAnswerOver64KiBWithoutContentLength_FailsTheProbeOnceTheLimitIsPassed()
    {
        var body = new StreamContent(new TestSupport.NonSeekableStream(new byte[(64 * 1024) + 1]));
        var prober = new MemberProber(() => new HttpClient(new Answering(body)), new HealthProbingOptions(), new FakeTimeProvider());

        Assert.Null(body.Headers.ContentLength);

        ProbeOutcome outcome = await prober.ProbeAsync(new Uri("http://127.0.0.1:1/"), CancellationToken.None);

        Assert.Equal("its answer is larger than 65536 bytes", outcome.Failure);
        Assert.IsType<InvalidDataException>(outcome.Error);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "it answered 500 Internal Server Error")]
    [InlineData(HttpStatusCode.NotFound, "it answered 404 Not Found")]
    public async Task AStatusOtherThan2xx_FailsTheProbe_SayingWhichStatus(HttpStatusCode status, string failure)
    {
        var prober = new MemberProber(() => new HttpClient(new Answering(new StringContent("{}"), status)), new HealthProbingOptions(), new FakeTimeProvider());

        ProbeOutcome outcome = await prober.ProbeAsync(new Uri("http://127.0.0.1:1/"), CancellationToken.None);

        Assert.Equal((null, failure, null), (outcome.Answer, outcome.Failure, outcome.Error));
    }

    [Theory]
    [InlineData("null", "its answer is empty", false)]
    [InlineData("<html>not health</html>", "its answer is not the health JSON", true)]
    public async Task ABodyThatIsNoHealthAnswer_FailsTheProbe(string body, string failure, bool hasError)
    {
        var prober = new MemberProber(() => new HttpClient(new Answering(new StringContent(body))), new HealthProbingOptions(), new FakeTimeProvider());

        ProbeOutcome outcome = await prober.ProbeAsync(new Uri("http://127.0.0.1:1/"), CancellationToken.None);

        Assert.Equal((null, failure), (outcome.Answer, outcome.Failure));
        Assert.Equal(hasError, outcome.Error is JsonException);
    }

    [Theory]
    [InlineData(HttpRequestError.ConnectionError, "ConnectionError: refused")]
    [InlineData(HttpRequestError.Unknown, "refused")]
    public async Task AMemberThatCannotBeReached_FailsTheProbe_WithTheTransportsError(HttpRequestError error, string failure)
    {
        var thrown = new HttpRequestException(error, "refused");
        var prober = new MemberProber(() => new HttpClient(new Throwing(thrown)), new HealthProbingOptions(), new FakeTimeProvider());

        ProbeOutcome outcome = await prober.ProbeAsync(new Uri("http://127.0.0.1:1/"), CancellationToken.None);

        Assert.Equal((null, failure), (outcome.Answer, outcome.Failure));
        Assert.Same(thrown, outcome.Error);
    }

    [Fact]
    public async Task AMemberThatDoesNotAnswerWithinTheTimeout_FailsTheProbe_SayingTheTimeout()
    {
        var time = new FakeTimeProvider();
        var options = new HealthProbingOptions { Timeout = TimeSpan.FromSeconds(3) };
        var prober = new MemberProber(() => new HttpClient(new Silent()), options, time);

        Task<ProbeOutcome> probe = prober.ProbeAsync(new Uri("http://127.0.0.1:1/"), CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(3));
        ProbeOutcome outcome = await probe.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((null, "it did not answer within 00:00:03", null), (outcome.Answer, outcome.Failure, outcome.Error));
    }

    [Fact]
    public async Task TheRouterStopping_EndsTheProbeWithItsCancellation()
    {
        var prober = new MemberProber(() => new HttpClient(new Silent()), new HealthProbingOptions(), new FakeTimeProvider());
        using var stopping = new CancellationTokenSource();

        Task<ProbeOutcome> probe = prober.ProbeAsync(new Uri("http://127.0.0.1:1/"), stopping.Token);
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => probe.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData("http://10.0.0.5:8080/gw/", "/cluster-routing/health", "http://10.0.0.5:8080/gw/cluster-routing/health")]
    [InlineData("http://10.0.0.5:8080/", "health", "http://10.0.0.5:8080/health")]
    public async Task TheProbe_GoesToThePathUnderTheMembersAddress(string address, string path, string expected)
    {
        var answering = new Answering(new StringContent("""{"id":"gw-1"}"""));
        var prober = new MemberProber(() => new HttpClient(answering), new HealthProbingOptions { Path = path }, new FakeTimeProvider());

        await prober.ProbeAsync(new Uri(address), CancellationToken.None);

        Assert.Equal(expected, answering.Target?.AbsoluteUri);
        Assert.Equal(HttpMethod.Get, answering.Method);
    }

    private sealed class Throwing(Exception failure) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromException<HttpResponseMessage>(failure);
    }

    private sealed class Silent : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private sealed class Answering(HttpContent body, HttpStatusCode status = HttpStatusCode.OK) : HttpMessageHandler
    {
        public Uri? Target { get; private set; }

        public HttpMethod? Method { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            (Target, Method) = (request.RequestUri, request.Method);
            return Task.FromResult(new HttpResponseMessage(status) { Content = body, RequestMessage = request });
        }
    }

    private sealed class TrackedContent(byte[] bytes) : HttpContent
    {
        public bool Read { get; private set; }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            Read = true;
            return stream.WriteAsync(bytes).AsTask();
        }

        protected override bool TryComputeLength(out long length)
        {
            length = bytes.Length;
            return true;
        }
    }
}
