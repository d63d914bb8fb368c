using System.Net.Http.Json;
using System.Text.Json;

namespace ClusterRouting.Http;

/// <summary>What one probe found: the member's answer, or why there was none.</summary>
internal readonly record struct ProbeOutcome(MemberHealthAnswer? Answer, string? Failure, Exception? Error)
{
    public static ProbeOutcome Failed(string failure, Exception? error = null) => new(null, failure, error);
}

/// <summary>
/// Sends one probe to a member's health endpoint and reads its answer. Any failure to get a well-formed answer within
/// the timeout (no connection, a status other than 2xx, a body that is not the health JSON, a body over 64 KiB) is a
/// failed probe; only the router's own stopping propagates. A client is taken from the factory for each probe, so
/// that the factory's handler rotation applies.
/// </summary>
internal sealed class MemberProber(Func<HttpClient> clients, HealthProbingOptions options, TimeProvider timeProvider)
{
    private const int MaxAnswerBytes = 64 * 1024;
    private readonly Uri _path = new(options.Path, UriKind.Relative);

    public Uri TargetOf(Uri memberAddress) => TargetUri.Compose(memberAddress, _path);

    public async Task<ProbeOutcome> ProbeAsync(Uri memberAddress, CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(options.Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        using HttpClient client = clients();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, TargetOf(memberAddress));
            using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return ProbeOutcome.Failed($"it answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (response.Content.Headers.ContentLength > MaxAnswerBytes)
            {
                return ProbeOutcome.Failed($"its answer is larger than {MaxAnswerBytes} bytes");
            }

            byte[] body = await ReadBoundedAsync(response.Content, linked.Token).ConfigureAwait(false);
            MemberHealthAnswer? answer = JsonSerializer.Deserialize(body, MemberHealthJsonContext.Default.MemberHealthAnswer);
            return answer is null ? ProbeOutcome.Failed("its answer is empty") : new ProbeOutcome(answer, null, null);
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return ProbeOutcome.Failed($"it did not answer within {options.Timeout}");
        }
        catch (HttpRequestException ex)
        {
            return ProbeOutcome.Failed(ex.HttpRequestError == HttpRequestError.Unknown ? ex.Message : $"{ex.HttpRequestError}: {ex.Message}", ex);
        }
        catch (JsonException ex)
        {
            return ProbeOutcome.Failed("its answer is not the health JSON", ex);
        }
        catch (InvalidDataException ex)
        {
            return ProbeOutcome.Failed(ex.Message, ex);
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            byte[] chunk = new byte[8192];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > MaxAnswerBytes)
                {
                    throw new InvalidDataException($"its answer is larger than {MaxAnswerBytes} bytes");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }
}
