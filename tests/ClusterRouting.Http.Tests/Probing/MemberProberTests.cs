using System.Net;
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

    private sealed class Answering(HttpContent body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = body, RequestMessage = request });
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
