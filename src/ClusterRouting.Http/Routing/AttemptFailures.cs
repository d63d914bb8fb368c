using System.Net.Sockets;

namespace ClusterRouting.Http;

/// <summary>Classifies the exceptions of an attempt on a member, and of reading its response body.</summary>
internal static class AttemptFailures
{
    /// <summary>
    /// What an exception thrown while sending a request (until the response headers arrived) says about the member.
    /// The caller's cancellation is checked before, by the handler: it is never the member's failure.
    /// </summary>
    public static AttemptFailure Classify(Exception exception) => exception switch
    {
        HttpRequestException http => http.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or
            HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError => AttemptFailure.NeverReached,
            HttpRequestError.Unknown or HttpRequestError.HttpProtocolError or
            HttpRequestError.InvalidResponse or HttpRequestError.ResponseEnded => AttemptFailure.Offline,

            // UserAuthenticationError, ConfigurationLimitExceeded, ExtendedConnectNotSupported,
            // VersionNegotiationError: the client's settings, which another member would meet the same way.
            _ => AttemptFailure.None,
        },

        // SocketsHttpHandler's ConnectTimeout: an OperationCanceledException around a TimeoutException, while the
        // caller's token is not canceled. The connection was never established.
        OperationCanceledException { InnerException: TimeoutException } => AttemptFailure.NeverReached,

        // A handler below that lets a transport error through unwrapped.
        IOException => AttemptFailure.Offline,
        _ => AttemptFailure.None,
    };

    /// <summary>
    /// Whether an exception thrown while reading a response body came from the connection to the member (it reset or
    /// ended early), rather than from the caller's side (a destination stream that failed, a buffer limit, a cancellation).
    /// </summary>
    public static bool IsMemberBodyFailure(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            if (current is OperationCanceledException)
            {
                return false;
            }

            if (current is HttpIOException or SocketException)
            {
                return true;
            }
        }

        return false;
    }
}
