namespace ClusterRouting.Http.Tests.TestSupport;

/// <summary>
/// A content of bytes whose serialization, or the opening of whose stream, waits for a gate first; its stream is
/// <paramref name="stream"/> when given.
/// </summary>
internal sealed class GatedContent(byte[] bytes, Gate? serializeGate = null, Gate? openGate = null, Stream? stream = null) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        if (serializeGate is not null)
        {
            await serializeGate.PassAsync().ConfigureAwait(false);
        }

        await stream.WriteAsync(bytes).ConfigureAwait(false);
    }

    protected override async Task<Stream> CreateContentReadStreamAsync()
    {
        if (openGate is not null)
        {
            await openGate.PassAsync().ConfigureAwait(false);
        }

        return stream ?? new MemoryStream(bytes, writable: false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = bytes.Length;
        return true;
    }
}
