using System.Globalization;
using System.Net;
using System.Text.Json;
using ClusterRouting.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Soak.Tests.Cluster;

/// <summary>
/// One member of the soaked cluster: a real Kestrel server on 127.0.0.1 running the member's half
/// (ClusterRouting.AspNetCore: its concurrency and CPU limits, its measurement, its health endpoint) and a
/// <c>GET /work?id=N</c> endpoint that answers <c>"{member id} {N}"</c>. The endpoint counts, on the member, the
/// requests it runs at once and the most it ever ran at once, across restarts. Faults are switched on it from outside:
/// slow answers, a CPU spike (through its <see cref="IMemberUtilizationSource"/>), and a kill (the host stops with a
/// shutdown timeout of 0, which aborts every open connection) followed by a restart on the same port.
/// </summary>
internal sealed class SoakMember : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    private readonly int _limit;
    private readonly TimeProvider _memberClock;
    private readonly ILoggerProvider _logs;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private WebApplication? _app;
    private long _slowUntil;
    private int _atOnce;
    private int _mostAtOnce;
    private long _served;
    private long _outsideServed;
    private long _refused;
    private int _disposed;

    private SoakMember(string id, int limit, TimeProvider memberClock, ILoggerProvider logs)
    {
        Id = id;
        _limit = limit;
        _memberClock = memberClock;
        _logs = logs;
        Load = new SpikeableLoad();
    }

    public string Id { get; }

    public int Port { get; private set; }

    public Uri Address => new($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/");

    /// <summary>Gets the member's concurrent-operation limit (ConcurrentOperationLimitPreview).</summary>
    public int Limit => _limit;

    /// <summary>Gets the measurement the member samples: CPU spikes are switched on it.</summary>
    public SpikeableLoad Load { get; }

    public bool IsRunning => Volatile.Read(ref _app) is not null;

    /// <summary>Gets the <c>/work</c> requests running on the member now.</summary>
    public int AtOnce => Volatile.Read(ref _atOnce);

    /// <summary>Gets the most <c>/work</c> requests the member ever ran at once, across restarts.</summary>
    public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

    /// <summary>Gets how many routed <c>/work</c> requests the member answered (its answer was written).</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Gets how many requests the member's limits refused with 503, across restarts.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Gets how many outside (not routed) requests the member answered: the load of refusal bursts.</summary>
    public long OutsideServed => Interlocked.Read(ref _outsideServed);

    public static async Task<SoakMember> StartAsync(string id, int limit, TimeProvider memberClock, ILoggerProvider logs)
    {
        var member = new SoakMember(id, limit, memberClock, logs);
        await member.StartOnAsync(port: 0);
        return member;
    }

    /// <summary>Makes every <c>/work</c> request that starts before <paramref name="until"/> (a <see cref="TimeProvider.System"/> timestamp) slow.</summary>
    public void SlowUntil(long until) => Volatile.Write(ref _slowUntil, until);

    /// <summary>Stops the member abruptly: it stops listening and every open connection is aborted, requests in flight included.</summary>
    public async Task KillAsync()
    {
        await _lifecycle.WaitAsync(StopTimeout);
        try
        {
            WebApplication? app = Interlocked.Exchange(ref _app, null);
            if (app is not null)
            {
                await app.StopAsync().WaitAsync(StopTimeout);
                await app.DisposeAsync().AsTask().WaitAsync(StopTimeout);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Starts the member again on its port, after <see cref="KillAsync"/>.</summary>
    public async Task RestartAsync()
    {
        await _lifecycle.WaitAsync(StartTimeout);
        try
        {
            if (Volatile.Read(ref _app) is null)
            {
                await StartOnAsync(Port);
            }
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Reads the member's own health answer: its in-flight count as its limits middleware counts it.</summary>
    public async Task<int> ReadInFlightAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await client.GetAsync(new Uri(Address, "cluster-routing/health"), cancellationToken);
        response.EnsureSuccessStatusCode();
        using JsonDocument health = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return health.RootElement.GetProperty("inFlight").GetInt32();
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await KillAsync();
            _lifecycle.Dispose();
        }
    }

    private async Task StartOnAsync(int port)
    {
        long started = TimeProvider.System.GetTimestamp();
        for (int attempt = 1; ; attempt++)
        {
            WebApplication app = Build(port);
            try
            {
                await app.StartAsync().WaitAsync(StartTimeout);
                string url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
                Port = new Uri(url).Port;
                Volatile.Write(ref _app, app);
                return;
            }
            catch (IOException) when (port != 0 && TimeProvider.System.GetElapsedTime(started) < StartTimeout)
            {
                // The port can take a moment to be free again after the aborted connections of the previous server.
                await app.DisposeAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }
    }

    private WebApplication Build(int port)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));

        // A kill: the host does not wait for requests in flight, it aborts their connections.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.Zero);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(_logs);
        builder.Services.AddClusterMember(o =>
        {
            o.Id = Id;
            o.Version = "3000.250.5";
            o.ConcurrentOperationLimitPreview = _limit;
            o.CPUUtilizationPercentageThreshold = SoakSettings.CpuThreshold;
            o.ResourceUtilizationAggregationTimeInMinutes = 1;
            o.SamplingInterval = TimeSpan.FromSeconds(1);
        });
        builder.Services.AddSingleton<IMemberUtilizationSource>(Load);
        builder.Services.AddSingleton(_memberClock);

        WebApplication app = builder.Build();
        app.Use(async (context, next) =>
        {
            await next(context);
            if (context.Response.StatusCode == StatusCodes.Status503ServiceUnavailable)
            {
                Interlocked.Increment(ref _refused);
            }
        });
        app.UseClusterMemberLimits();
        app.MapClusterMemberHealth();
        app.MapGet("/work", WorkAsync);
        return app;
    }

    private async Task WorkAsync(HttpContext context)
    {
        int now = Interlocked.Increment(ref _atOnce);
        int most;
        while (now > (most = Volatile.Read(ref _mostAtOnce)) && Interlocked.CompareExchange(ref _mostAtOnce, now, most) != most)
        {
        }

        try
        {
            string? id = context.Request.Query["id"];
            string? hold = context.Request.Query["hold"];
            TimeSpan delay = hold is not null
                ? TimeSpan.FromMilliseconds(int.Parse(hold, CultureInfo.InvariantCulture))
                : TimeProvider.System.GetTimestamp() < Volatile.Read(ref _slowUntil)
                    ? TimeSpan.FromMilliseconds(Random.Shared.Next(SoakSettings.SlowMinMs, SoakSettings.SlowMaxMs))
                    : TimeSpan.FromMilliseconds(Random.Shared.Next(SoakSettings.WorkMinMs, SoakSettings.WorkMaxMs));
            await Task.Delay(delay, context.RequestAborted);
            await context.Response.WriteAsync($"{Id} {id}", context.RequestAborted);
            Interlocked.Increment(ref hold is null ? ref _served : ref _outsideServed);
        }
        finally
        {
            Interlocked.Decrement(ref _atOnce);
        }
    }
}
