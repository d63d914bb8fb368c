using System.Net;
using ClusterRouting.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Http.Tests.EndToEnd;

/// <summary>
/// A real member of a cluster: a Kestrel server on 127.0.0.1 running the member's half (ClusterRouting.AspNetCore:
/// its own limits, its health endpoint) and a <c>/work</c> endpoint that takes <see cref="WorkTime"/> and counts, on
/// the member, what it served and the most requests it ever ran at once. It can be stopped (its port then refuses
/// connections) and started again on the same port, with the same counters.
/// </summary>
internal sealed class GatewayMember : IAsyncDisposable
{
    private static readonly TimeSpan StartStopTimeout = TimeSpan.FromSeconds(10);
    private readonly Counters _counters = new();
    private readonly Action<MemberLimitsOptions> _configure;
    private readonly IMemberUtilizationSource? _source;
    private readonly TimeProvider? _time;
    private WebApplication? _app;

    private GatewayMember(string id, Action<MemberLimitsOptions> configure, IMemberUtilizationSource? source, TimeProvider? time)
    {
        Id = id;
        _configure = configure;
        _source = source;
        _time = time;
    }

    public string Id { get; }

    public int Port { get; private set; }

    public Uri Address => new($"http://127.0.0.1:{Port}/");

    /// <summary>Gets or sets how long each <c>/work</c> request takes.</summary>
    public TimeSpan WorkTime { get; set; } = TimeSpan.Zero;

    /// <summary>Gets how many <c>/work</c> requests the member served (across restarts).</summary>
    public int Served => Volatile.Read(ref _counters.Served);

    /// <summary>Gets the most <c>/work</c> requests the member ever ran at once.</summary>
    public int MostAtOnce => Volatile.Read(ref _counters.MostAtOnce);

    public static async Task<GatewayMember> StartAsync(string id, Action<MemberLimitsOptions>? configure = null, IMemberUtilizationSource? source = null, TimeProvider? time = null)
    {
        var member = new GatewayMember(id, o => { o.Id = id; o.Version = "3000.250.5"; configure?.Invoke(o); }, source, time);
        await member.StartAsync(port: 0);
        return member;
    }

    /// <summary>Starts the member again on its port, after <see cref="StopAsync"/>.</summary>
    public Task RestartAsync() => StartAsync(Port);

    /// <summary>Stops the server: its port refuses connections from then on.</summary>
    public async Task StopAsync()
    {
        if (_app is WebApplication app)
        {
            _app = null;
            await app.StopAsync().WaitAsync(StartStopTimeout);
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task StartAsync(int port)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        builder.Services.AddClusterMember(_configure);
        if (_source is not null)
        {
            builder.Services.AddSingleton(_source);
        }

        if (_time is not null)
        {
            builder.Services.AddSingleton(_time);
        }

        WebApplication app = builder.Build();
        app.UseClusterMemberLimits();
        app.MapClusterMemberHealth();
        app.MapGet("/work", WorkAsync);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                await app.StartAsync().WaitAsync(StartStopTimeout);
                break;
            }
            catch (IOException) when (port != 0 && attempt < 10)
            {
                // The port may take a moment to be free again after the previous server on it stopped.
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
        }

        string url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        Port = new Uri(url).Port;
        _app = app;
    }

    private async Task WorkAsync(HttpContext context)
    {
        int now = Interlocked.Increment(ref _counters.AtOnce);
        int most;
        while (now > (most = Volatile.Read(ref _counters.MostAtOnce)) && Interlocked.CompareExchange(ref _counters.MostAtOnce, now, most) != most)
        {
        }

        try
        {
            if (WorkTime > TimeSpan.Zero)
            {
                await Task.Delay(WorkTime, context.RequestAborted);
            }

            Interlocked.Increment(ref _counters.Served);
            await context.Response.WriteAsync(Id);
        }
        finally
        {
            Interlocked.Decrement(ref _counters.AtOnce);
        }
    }

    private sealed class Counters
    {
        public int Served;
        public int AtOnce;
        public int MostAtOnce;
    }
}
