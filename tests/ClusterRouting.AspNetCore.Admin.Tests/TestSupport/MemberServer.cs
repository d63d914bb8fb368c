using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Admin.Tests;

/// <summary>A cluster member: a real Kestrel server on 127.0.0.1 that answers <c>GET /work</c> until it is stopped.</summary>
public sealed class MemberServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private MemberServer(WebApplication app, string id)
    {
        _app = app;
        Id = id;
        Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single() + "/");
    }

    public string Id { get; }

    public Uri Address { get; }

    public static async Task<MemberServer> StartAsync(string id)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        app.MapGet("/work", () => "done by " + id);
        await app.StartAsync();
        return new MemberServer(app, id);
    }

    /// <summary>Stops listening: the member goes offline, and connecting to it is refused.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
