using System.Net.Sockets;

namespace ClusterRouting.Http.Tests.Routing;

public class AttemptFailuresTests
{
    [Theory]
    [InlineData(HttpRequestError.NameResolutionError, (int)AttemptFailure.NeverReached)]
    [InlineData(HttpRequestError.ConnectionError, (int)AttemptFailure.NeverReached)]
    [InlineData(HttpRequestError.SecureConnectionError, (int)AttemptFailure.NeverReached)]
    [InlineData(HttpRequestError.ProxyTunnelError, (int)AttemptFailure.NeverReached)]
    [InlineData(HttpRequestError.Unknown, (int)AttemptFailure.Offline)]
    [InlineData(HttpRequestError.ResponseEnded, (int)AttemptFailure.Offline)]
    [InlineData(HttpRequestError.InvalidResponse, (int)AttemptFailure.Offline)]
    [InlineData(HttpRequestError.HttpProtocolError, (int)AttemptFailure.Offline)]
    [InlineData(HttpRequestError.ConfigurationLimitExceeded, (int)AttemptFailure.None)]
    [InlineData(HttpRequestError.UserAuthenticationError, (int)AttemptFailure.None)]
    [InlineData(HttpRequestError.VersionNegotiationError, (int)AttemptFailure.None)]
    [InlineData(HttpRequestError.ExtendedConnectNotSupported, (int)AttemptFailure.None)]
    public void Classify_HttpRequestError_SaysWhetherTheMemberWasReached(HttpRequestError error, int expected)
    {
        // The expected value is an int: the enum is internal, and a public test method can't take it.
        Assert.Equal((AttemptFailure)expected, AttemptFailures.Classify(new HttpRequestException(error, "failed")));
    }

    [Fact]
    public void Classify_ConnectTimeout_NeverReached()
    {
        // What SocketsHttpHandler throws when ConnectTimeout elapses.
        var connectTimeout = new TaskCanceledException("canceled", new TimeoutException("A connection could not be established within the configured ConnectTimeout."));

        Assert.Equal(AttemptFailure.NeverReached, AttemptFailures.Classify(connectTimeout));
    }

    [Fact]
    public void Classify_PlainCancellationOrForeignException_NotTheMembersFailure()
    {
        Assert.Equal(AttemptFailure.None, AttemptFailures.Classify(new OperationCanceledException()));
        Assert.Equal(AttemptFailure.None, AttemptFailures.Classify(new InvalidOperationException("bad request")));
    }

    [Fact]
    public void Classify_RawIOException_Offline()
    {
        Assert.Equal(AttemptFailure.Offline, AttemptFailures.Classify(new IOException("reset", new SocketException((int)SocketError.ConnectionReset))));
    }

    [Fact]
    public void IsMemberBodyFailure_ConnectionFailures_True()
    {
        Assert.True(AttemptFailures.IsMemberBodyFailure(new HttpIOException(HttpRequestError.ResponseEnded)));
        Assert.True(AttemptFailures.IsMemberBodyFailure(new HttpRequestException("copy failed", new IOException("reset", new SocketException((int)SocketError.ConnectionReset)))));
    }

    [Fact]
    public void IsMemberBodyFailure_CallerSideFailures_False()
    {
        Assert.False(AttemptFailures.IsMemberBodyFailure(new OperationCanceledException()));
        Assert.False(AttemptFailures.IsMemberBodyFailure(new HttpRequestException(HttpRequestError.ConfigurationLimitExceeded, "buffer limit")));
        Assert.False(AttemptFailures.IsMemberBodyFailure(new IOException("disk full")));
        Assert.False(AttemptFailures.IsMemberBodyFailure(new TaskCanceledException("canceled", new HttpIOException(HttpRequestError.ResponseEnded))));
    }
}
