using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Http.Tests.TestSupport;

/// <summary>
/// A real member on loopback: a Kestrel server on 127.0.0.1 that counts every request and answers with what
/// <see cref="Behavior"/> says (by default, 200 with its member id as text). It can be stopped, so that its port
/// refuses connections, and started again on the same port.
/// </summary>
internal sealed class HttpMember : IAsyncDisposable
{
    private static readonly TimeSpan StartStopTimeout = TimeSpan.FromSeconds(10);

    private readonly Counters _counters;
    private WebApplication _app;

    private HttpMember(string memberId, WebApplication app, Counters counters, int port)
    {
        MemberId = memberId;
        _app = app;
        _counters = counters;
        Port = port;
    }

    public string MemberId { get; }

    public int Port { get; }

    /// <summary>Gets the member's address, as configured for the cluster: <c>http://127.0.0.1:port/</c>.</summary>
    public Uri Address => new($"http://127.0.0.1:{Port}/");

    /// <summary>Gets how many requests reached this member's application (across restarts).</summary>
    public int Requests => Volatile.Read(ref _counters.Requests);

    /// <summary>Gets or sets how the member answers; <see langword="null"/> answers 200 with the member id.</summary>
    public Func<HttpContext, Task>? Behavior
    {
        get => _counters.Behavior;
        set => _counters.Behavior = value;
    }

    /// <summary>Gets the path and query of the last request the member received.</summary>
    public string? LastPathAndQuery => _counters.LastPathAndQuery;

    public static async Task<HttpMember> StartAsync(string memberId, int port = 0)
    {
        var counters = new Counters();
        (WebApplication app, int bound) = await StartAppAsync(memberId, port, counters);
        return new HttpMember(memberId, app, counters, bound);
    }

    /// <summary>Stops the server: its port refuses connections from then on.</summary>
    public Task StopAsync() => _app.StopAsync().WaitAsync(StartStopTimeout);

    /// <summary>Starts the member again on the same port, after <see cref="StopAsync"/>.</summary>
    public async Task RestartAsync()
    {
        await _app.DisposeAsync();
        (_app, _) = await StartAppAsync(MemberId, Port, _counters);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static async Task<(WebApplication App, int Port)> StartAppAsync(string memberId, int port, Counters counters)
    {
        const int MaxBindAttempts = 10;
        for (int attempt = 1; ; attempt++)
        {
            WebApplication app = Build(memberId, port, counters);
            try
            {
                await app.StartAsync().WaitAsync(StartStopTimeout);
                IServerAddressesFeature addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()
                    ?? throw new InvalidOperationException("Kestrel exposes no server addresses.");
                return (app, new Uri(addresses.Addresses.Single()).Port);
            }
            catch (IOException) when (port != 0 && attempt < MaxBindAttempts)
            {
                // The port may take a moment to be free again after the previous server on it stopped.
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

    private static WebApplication Build(string memberId, int port, Counters counters)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        WebApplication app = builder.Build();
        app.Run(async context =>
        {
            Interlocked.Increment(ref counters.Requests);
            counters.LastPathAndQuery = context.Request.Path + context.Request.QueryString;
            Func<HttpContext, Task>? behavior = counters.Behavior;
            if (behavior is null)
            {
                byte[] body = System.Text.Encoding.UTF8.GetBytes(memberId);
                context.Response.ContentType = "text/plain; charset=utf-8";
                context.Response.ContentLength = body.Length;
                context.Response.Headers.ContentLanguage = "member";
                await context.Response.Body.WriteAsync(body);
            }
            else
            {
                await behavior(context);
            }
        });
        return app;
    }

    private sealed class Counters
    {
#pragma warning disable CA1051 // Fields, so that they can be changed with Interlocked and Volatile.
        public int Requests;
        public volatile Func<HttpContext, Task>? Behavior;
        public volatile string? LastPathAndQuery;
#pragma warning restore CA1051
    }
}
