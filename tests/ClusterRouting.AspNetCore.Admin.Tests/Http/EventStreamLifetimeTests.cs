using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Admin.Tests;

/// <summary>
/// How a live feed lives and ends: it asks the server not to buffer it, it ends after its maximum duration on the
/// application's clock (so that the browser reconnects and is authorized again), and it ends quietly when the
/// application stops.
/// </summary>
public sealed class EventStreamLifetimeTests
{
    [Fact]
    public async Task Events_EndAfterTheMaximumDuration_OnTheApplicationsClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 3, 2, 1, TimeSpan.Zero));
        await using AdminTestHost host = await AdminTestHost.StartAsync(configureServices: s => s.AddSingleton<TimeProvider>(time));
        using HttpClient client = host.Client(TestUsers.Reader);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using HttpResponseMessage response = await client.GetAsync(new Uri("/cluster-routing/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        JsonElement first = await NextOverviewAsync(reader, timeout.Token);
        Assert.Equal(time.GetUtcNow(), first.GetProperty("timestamp").GetDateTimeOffset());

        // A second short of the maximum: the refresh interval (1 s on the same clock) has passed, the feed goes on.
        time.Advance(AdminDefaults.MaxStreamDuration - TimeSpan.FromSeconds(1));
        JsonElement later = await NextOverviewAsync(reader, timeout.Token);
        Assert.Equal(time.GetUtcNow(), later.GetProperty("timestamp").GetDateTimeOffset());

        time.Advance(TimeSpan.FromSeconds(1));
        await reader.ReadToEndAsync(timeout.Token); // returns once the server ends the stream
        Assert.False(timeout.IsCancellationRequested);
    }

    [Fact]
    public async Task Events_EndQuietlyWhenTheApplicationStops()
    {
        AdminTestHost host = await AdminTestHost.StartAsync();
        FakeLogCollector log = host.Log;
        using HttpClient client = host.Client(TestUsers.Reader);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using HttpResponseMessage response = await client.GetAsync(new Uri("/cluster-routing/api/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        await NextOverviewAsync(reader, timeout.Token);

        await host.DisposeAsync().AsTask().WaitAsync(timeout.Token);

        // The stream's end is no application error: nothing is logged as an error.
        Assert.DoesNotContain(log.GetSnapshot(), r => r.Level >= LogLevel.Error);
        await reader.ReadToEndAsync(timeout.Token); // the stream has ended: what is left of it is read to its end
        Assert.False(timeout.IsCancellationRequested);
    }

    [Fact]
    public async Task WriteAsync_AsksTheServerNotToBufferTheFeed()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().AddClusterRouting()
            .AddCluster("sales", o => o.Members.Add(new ClusterMemberOptions("gw-1"))).Services.BuildServiceProvider();
        using var activity = new RoutingActivity(null, TimeProvider.System);
        var reader = new ClusterReader(new ClusterDirectory(services.GetRequiredService<IClusterSelectorProvider>()), activity, TimeProvider.System);
        var stream = new EventStream(reader, Options.Create(new ClusterRoutingAdminOptions()), new RunningLifetime(), TimeProvider.System);
        var body = new RecordingBodyFeature();
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseBodyFeature>(body);
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();
        context.RequestAborted = gone.Token; // the client has gone: the stream ends at its first write

        await stream.WriteAsync(context);

        Assert.True(body.BufferingDisabled);
        Assert.Equal("text/event-stream", context.Response.ContentType);
    }

    [Fact]
    public async Task WriteAsync_FlushesEachEventAsItIsWritten()
    {
        // A server or middleware that buffers the body would hold the event back until flushed.
        using ServiceProvider services = new ServiceCollection().AddMetrics().AddClusterRouting()
            .AddCluster("sales", o => o.Members.Add(new ClusterMemberOptions("gw-1"))).Services.BuildServiceProvider();
        var time = new FakeTimeProvider();
        using var activity = new RoutingActivity(null, time);
        var reader = new ClusterReader(new ClusterDirectory(services.GetRequiredService<IClusterSelectorProvider>()), activity, time);
        var stream = new EventStream(reader, Options.Create(new ClusterRoutingAdminOptions()), new RunningLifetime(), time);
        using var body = new FlushRecordingStream();
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        using var gone = new CancellationTokenSource();
        context.RequestAborted = gone.Token;

        Task writing = stream.WriteAsync(context);
        string flushed = await body.FirstFlush.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await gone.CancelAsync(); // the client goes while the stream waits for the next refresh
        await writing.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("retry: 2000\n\nevent: overview\ndata: {", flushed, StringComparison.Ordinal);
        Assert.EndsWith("}\n\n", flushed, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"sales\"", flushed, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> NextOverviewAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        while (await reader.ReadLineAsync(cancellationToken) is string line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            }
        }

        throw new InvalidOperationException("The stream ended before an overview event.");
    }

    /// <summary>A body that records what had been written when it was first flushed.</summary>
    private sealed class FlushRecordingStream : MemoryStream
    {
        public TaskCompletionSource<string> FirstFlush { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Flush() => FirstFlush.TrySetResult(System.Text.Encoding.UTF8.GetString(ToArray()));

        public override Task FlushAsync(CancellationToken cancellationToken)
        {
            Flush();
            return Task.CompletedTask;
        }
    }

    private sealed class RunningLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }

    private sealed class RecordingBodyFeature : IHttpResponseBodyFeature
    {
        public bool BufferingDisabled { get; private set; }

        public Stream Stream { get; } = Stream.Null;

        public PipeWriter Writer => PipeWriter.Create(Stream);

        public void DisableBuffering() => BufferingDisabled = true;

        public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task CompleteAsync() => Task.CompletedTask;
    }
}
