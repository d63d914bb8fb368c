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
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.AspNetCore.Tests.TestSupport;

/// <summary>
/// A real member: a Kestrel server on 127.0.0.1 (a free port) with the member's limits, its health endpoint and a few
/// test endpoints: /fast answers at once, /slow waits until the test opens its gate (or the request is aborted),
/// /throw throws, /exempt is exempt from the limits. Optionally a scripted measurement source and a fake clock.
/// </summary>
internal sealed class MemberServer : IAsyncDisposable
{
    public const string HealthPath = "/cluster-routing/health";

    private readonly WebApplication _app;
    private TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _slowEntered;
    private int _slowCompleted;

    private MemberServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(20) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public MemberLimiter Limiter => _app.Services.GetRequiredService<MemberLimiter>();

    public FakeLogCollector Logs => _app.Services.GetFakeLogCollector();

    public int SlowEntered => Volatile.Read(ref _slowEntered);

    public int SlowCompleted => Volatile.Read(ref _slowCompleted);

    public static async Task<MemberServer> StartAsync(
        Action<MemberLimitsOptions> configure,
        IMemberUtilizationSource? source = null,
        FakeTimeProvider? time = null,
        bool limitsBeforeRouting = false)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddFakeLogging();
        builder.Services.AddClusterMember(configure);
        if (source is not null)
        {
            builder.Services.AddSingleton(source);
        }

        if (time is not null)
        {
            builder.Services.AddSingleton<TimeProvider>(time);
        }

        WebApplication app = builder.Build();
        MemberServer? server = null;
        app.UseClusterMemberLimits();
        if (limitsBeforeRouting)
        {
            app.UseRouting();
        }

        app.MapClusterMemberHealth(HealthPath);
        app.MapGet("/fast", (HttpContext context) => context.Response.WriteAsync("ok"));
        app.MapGet("/exempt", (HttpContext context) => context.Response.WriteAsync("exempt")).DisableClusterMemberLimits();
        app.MapGet("/slow", (HttpContext context) => server!.SlowAsync(context));
        app.MapGet("/throw", (HttpContext context) => throw new InvalidOperationException("The endpoint failed."));
        await app.StartAsync().WaitAsync(Waits.Default);
        string url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server = new MemberServer(app, new Uri(url));
        return server;
    }

    /// <summary>Lets every request waiting in /slow (and every later one) complete.</summary>
    public void OpenGate() => _gate.TrySetResult();

    public void CloseGate() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task<JsonElement> HealthAsync()
    {
        using HttpResponseMessage response = await Client.GetAsync(new Uri(HealthPath, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        OpenGate();
        Client.Dispose();
        await _app.StopAsync().WaitAsync(Waits.Default);
        await _app.DisposeAsync();
    }

    private async Task SlowAsync(HttpContext context)
    {
        Interlocked.Increment(ref _slowEntered);
        await _gate.Task.WaitAsync(context.RequestAborted);
        Interlocked.Increment(ref _slowCompleted);
        await context.Response.WriteAsync("slow");
    }
}
