using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace ClusterRouting.Admin;

/// <summary>
/// The status page's files, embedded in the assembly and served from memory with an ETag: no CDN, no build step, and
/// a Content-Security-Policy that lets the page load only its own script and style and talk only to its own origin.
/// </summary>
internal sealed class PageAssets
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private readonly Dictionary<string, Asset> _assets = new(StringComparer.Ordinal);

    public PageAssets()
    {
        Add("index.html", "text/html; charset=utf-8");
        Add("console.js", "text/javascript; charset=utf-8");
        Add("console.css", "text/css; charset=utf-8");
    }

    public Task WriteAsync(HttpContext context, string name)
    {
        Asset asset = _assets[name];
        HttpResponse response = context.Response;
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XFrameOptions = "DENY";
        if (context.Request.Headers.IfNoneMatch == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        return response.Body.WriteAsync(asset.Content, context.RequestAborted).AsTask();
    }

    private void Add(string name, string contentType)
    {
        using Stream stream = typeof(PageAssets).Assembly.GetManifestResourceStream("ClusterRouting.Admin.Page." + name)
            ??
            // Stryker disable once String : unreachable: the project embeds the three files (the page's tests read each of them)
            throw new InvalidOperationException($"The page file '{name}' is not embedded in {typeof(PageAssets).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        byte[] content = copy.ToArray();
        string etag = new EntityTagHeaderValue("\"" + Convert.ToHexString(SHA256.HashData(content))[..16] + "\"").ToString();
        _assets[name] = new Asset(content, contentType, etag);
    }

    private sealed record Asset(byte[] Content, string ContentType, string ETag);
}
