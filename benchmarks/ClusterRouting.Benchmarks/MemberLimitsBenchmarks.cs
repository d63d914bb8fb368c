using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// The member's check per request (ClusterRouting.AspNetCore's <c>UseClusterMemberLimits</c>, limit 40) against ASP.NET
/// Core's own rate-limiting middleware with a concurrency limiter (<c>AddRateLimiter(o =&gt; o.AddConcurrencyLimiter(...))</c>
/// + <c>UseRateLimiter()</c>, PermitLimit 40, no queue) and against the same pipeline with neither. Each pipeline is
/// routing, the middleware under test and one endpoint that answers 200 with no body, invoked in process with a fresh
/// <see cref="DefaultHttpContext"/> per request (what a server does for each request, minus the sockets), one request at
/// a time, so no limit is ever reached: this is the admitted request's cost.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class MemberLimitsBenchmarks
{
    private Pipeline _none = null!;
    private Pipeline _member = null!;
    private Pipeline _rateLimiter = null!;

    [GlobalSetup]
    public void Setup()
    {
        _none = Pipeline.Create(static _ => { }, static _ => { }, static e => e);
        _member = Pipeline.Create(
            static services => services.AddClusterMember(o => o.ConcurrentOperationLimitPreview = 40),
            static app => app.UseClusterMemberLimits(),
            static e => e);
        _rateLimiter = Pipeline.Create(
            static services => services.AddRateLimiter(o => o.AddConcurrencyLimiter("concurrency", l => { l.PermitLimit = 40; l.QueueLimit = 0; })),
            static app => app.UseRateLimiter(),
            static e => e.RequireRateLimiting("concurrency"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _none.Dispose();
        _member.Dispose();
        _rateLimiter.Dispose();
    }

    /// <summary>Routing and the endpoint, no limit.</summary>
    [Benchmark(Baseline = true)]
    public Task<int> NoLimit() => _none.InvokeAsync();

    /// <summary>The member's check: verdict read, compare-and-swap on the in-flight count, release when the endpoint is done.</summary>
    [Benchmark]
    public Task<int> ClusterMemberLimits() => _member.InvokeAsync();

    /// <summary>ASP.NET Core's rate limiter middleware with a named concurrency policy on the endpoint.</summary>
    [Benchmark]
    public Task<int> AspNetCoreConcurrencyLimiter() => _rateLimiter.InvokeAsync();

    private sealed class Pipeline : IDisposable
    {
        private readonly ServiceProvider _services;
        private readonly RequestDelegate _app;

        private Pipeline(ServiceProvider services, RequestDelegate app)
        {
            _services = services;
            _app = app;
        }

        public static Pipeline Create(Action<IServiceCollection> addServices, Action<IApplicationBuilder> useMiddleware, Func<IEndpointConventionBuilder, IEndpointConventionBuilder> onEndpoint)
        {
            var services = new ServiceCollection();
            services.AddLogging();
            services.AddMetrics();
            services.AddRouting();
            services.AddSingleton(new DiagnosticListener("Microsoft.AspNetCore"));
            addServices(services);
            ServiceProvider provider = services.BuildServiceProvider();
            var app = new ApplicationBuilder(provider);
            app.UseRouting();
            useMiddleware(app);
            app.UseEndpoints(endpoints => onEndpoint(endpoints.MapGet("/", static context =>
            {
                context.Response.StatusCode = StatusCodes.Status200OK;
                return Task.CompletedTask;
            })));
            return new Pipeline(provider, app.Build());
        }

        public async Task<int> InvokeAsync()
        {
            var context = new DefaultHttpContext { RequestServices = _services };
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = "/";
            await _app(context).ConfigureAwait(false);
            if (context.Response.StatusCode != StatusCodes.Status200OK)
            {
                throw new InvalidOperationException($"The pipeline answered {context.Response.StatusCode}.");
            }

            return context.Response.StatusCode;
        }

        public void Dispose() => _services.Dispose();
    }
}
