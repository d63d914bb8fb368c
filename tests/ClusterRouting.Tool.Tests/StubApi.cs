using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Tool.Tests;

/// <summary>
/// A stand-in for the console's API on loopback that gives every request the same answer: a status, a content type
/// and a body chosen by the test. It keeps the headers of the last request. For answers the real console does not
/// give on demand: an empty error body, a bare 300, an answer of <c>null</c>, members in states that take minutes.
/// </summary>
public sealed class StubApi : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StubApi(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The console's address to give the tool.</summary>
    public string Url { get; }

    /// <summary>The headers of the last request received.</summary>
    public IHeaderDictionary? LastHeaders { get; private set; }

    public static async Task<StubApi> StartAsync(int status, string? contentType, string body)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        StubApi? stub = null;
        app.Run(async context =>
        {
            stub!.LastHeaders = new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value));
            context.Response.StatusCode = status;
            if (contentType is not null)
            {
                context.Response.ContentType = contentType;
            }

            await context.Response.WriteAsync(body);
        });
        await app.StartAsync();
        string root = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        stub = new StubApi(app, root + "/cluster-routing");
        return stub;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
