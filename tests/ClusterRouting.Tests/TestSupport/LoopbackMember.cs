using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Tests.TestSupport;

/// <summary>
/// A real member on loopback: a Kestrel server on 127.0.0.1 that answers <c>GET /work</c> with its member id.
/// It can be stopped, and a new one started on the same port, to play a gateway that goes down and comes back.
/// </summary>
internal sealed class LoopbackMember : IAsyncDisposable
{
    private static readonly TimeSpan StartStopTimeout = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;
    private readonly ServedCount _served;

    private LoopbackMember(string memberId, WebApplication app, ServedCount served, int port, int bindAttempts)
    {
        MemberId = memberId;
        _app = app;
        _served = served;
        Port = port;
        BindAttempts = bindAttempts;
    }

    public string MemberId { get; }

    /// <summary>Gets the port the server is bound to (an ephemeral one when it was started on port 0).</summary>
    public int Port { get; }

    /// <summary>Gets the base address, without a trailing slash: <c>http://127.0.0.1:port</c>.</summary>
    public string BaseAddress => $"http://127.0.0.1:{Port}";

    /// <summary>Gets how many attempts binding the port took (more than 1 only when a given port was busy at first).</summary>
    public int BindAttempts { get; }

    /// <summary>Gets how many requests this server answered.</summary>
    public int Served => Volatile.Read(ref _served.Value);

    /// <summary>
    /// Starts a member on <paramref name="port"/> (0 for an ephemeral port). Binding a given port is retried a few
    /// times, 50 ms apart, in case the port takes a moment to be free again after the previous server on it stopped.
    /// </summary>
    public static async Task<LoopbackMember> StartAsync(string memberId, int port = 0)
    {
        const int MaxBindAttempts = 10;
        for (int attempt = 1; ; attempt++)
        {
            var served = new ServedCount();
            WebApplication app = Build(memberId, port, served);
            try
            {
                await app.StartAsync().WaitAsync(StartStopTimeout);
                IServerAddressesFeature addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
                    ?? throw new InvalidOperationException("Kestrel exposes no server addresses.");
                int bound = new Uri(addresses.Addresses.Single()).Port;
                return new LoopbackMember(memberId, app, served, bound, attempt);
            }
            catch (IOException) when (port != 0 && attempt < MaxBindAttempts)
            {
                // Kestrel reports "address already in use" as an IOException.
                await app.DisposeAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
            catch
            {
                await app.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Stops the server: its port refuses connections from then on.</summary>
    public Task StopAsync() => _app.StopAsync().WaitAsync(StartStopTimeout);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static WebApplication Build(string memberId, int port, ServedCount served)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        WebApplication app = builder.Build();
        app.MapGet("/work", () =>
        {
            Interlocked.Increment(ref served.Value);
            return Results.Text(memberId);
        });
        return app;
    }

    private sealed class ServedCount
    {
#pragma warning disable CA1051 // A field, so that it can be incremented with Interlocked.
        public int Value;
#pragma warning restore CA1051
    }
}
