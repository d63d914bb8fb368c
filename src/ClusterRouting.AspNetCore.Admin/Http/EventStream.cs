using System.Text;
using System.Text.Json;
using ClusterRouting.Admin.Contract;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ClusterRouting.Admin;

/// <summary>
/// The live page's feed: server-sent events, one <c>overview</c> event (every cluster in detail) at each refresh
/// interval. A stream ends when the client goes, the application stops, or after
/// <see cref="AdminDefaults.MaxStreamDuration"/>, when the browser reconnects and is authorized again.
/// </summary>
internal sealed class EventStream(ClusterReader reader, IOptions<ClusterRoutingAdminOptions> options, IHostApplicationLifetime lifetime, TimeProvider time)
{
    private static readonly byte[] s_preamble = Encoding.UTF8.GetBytes("retry: 2000\n\n");
    private static readonly byte[] s_eventStart = Encoding.UTF8.GetBytes("event: overview\ndata: ");
    private static readonly byte[] s_eventEnd = Encoding.UTF8.GetBytes("\n\n");

    public async Task WriteAsync(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        // The stream's time is counted on the application's clock, as the refresh interval is.
        using var timeUp = new CancellationTokenSource(AdminDefaults.MaxStreamDuration, time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping, timeUp.Token);
        TimeSpan interval = options.Value.RefreshInterval;
        try
        {
            // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
            await response.Body.WriteAsync(s_preamble, stop.Token).ConfigureAwait(false);
            while (!stop.IsCancellationRequested)
            {
                // JSON escapes line breaks inside strings, so one serialized object is one data line.
                byte[] json = JsonSerializer.SerializeToUtf8Bytes(reader.Overview(), AdminJsonContext.Default.Overview);
                // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
                await response.Body.WriteAsync(s_eventStart, stop.Token).ConfigureAwait(false);
                // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
                await response.Body.WriteAsync(json, stop.Token).ConfigureAwait(false);
                // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
                await response.Body.WriteAsync(s_eventEnd, stop.Token).ConfigureAwait(false);
                // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
                await response.Body.FlushAsync(stop.Token).ConfigureAwait(false);
                // Stryker disable once Boolean : ConfigureAwait(true) acts the same: ASP.NET Core runs requests with no SynchronizationContext
                await Task.Delay(interval, time, stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went, the application is stopping, or the stream's time is up.
        }
    }
}
