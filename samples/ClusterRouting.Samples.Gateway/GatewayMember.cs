using System.Net;
using ClusterRouting.AspNetCore;

/// <summary>
/// One member of the cluster: an ASP.NET Core app on 127.0.0.1 with the member's half (its own limits and its health
/// endpoint) and a <c>/query</c> endpoint that takes 20 ms. Its CPU figure is set by the sample (<see cref="Load"/>), so
/// that making it CPU-bound is deterministic; it counts the requests it refused. It can be stopped and started again on
/// the same port.
/// </summary>
internal sealed class GatewayMember(string id)
{
    private WebApplication? _app;
    private int _refused;

    public string Id { get; } = id;

    public int Port { get; private set; }

    public Uri Address => new($"http://127.0.0.1:{Port}/");

    public SettableLoad Load { get; } = new();

    public bool Running => _app is not null;

    public int Refused => Volatile.Read(ref _refused);

    public async Task StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, Port));
        builder.Logging.ClearProviders();
        builder.Services.AddClusterMember(o =>
        {
            o.Id = Id;
            o.Version = "3000.250.5";
            o.CPUUtilizationPercentageThreshold = 80;
            o.ResourceUtilizationAggregationTimeInMinutes = 1;
            o.SamplingInterval = TimeSpan.FromSeconds(1);
        });
        builder.Services.AddSingleton<IMemberUtilizationSource>(Load);
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
        app.MapGet("/query", async (HttpContext context) =>
        {
            await Task.Delay(20, context.RequestAborted);
            await context.Response.WriteAsync(Id);
        });
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is WebApplication app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}

/// <summary>A member's CPU and memory figures as the sample sets them.</summary>
internal sealed class SettableLoad : IMemberUtilizationSource
{
    private double _cpu = 20;

    public void SetCpu(double percent) => Volatile.Write(ref _cpu, percent);

    public UtilizationSample Measure() => new(Volatile.Read(ref _cpu), 40);
}
