using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Http.Tests.Diagnostics;

/// <summary>The router's handler with a logger that fails on every event: the request still gets its answer.</summary>
public sealed class HandlerLoggerTests
{
    [Fact]
    public async Task Handler_LoggerEnabledButThrowingOnEachEvent_StillFailsOverToTheAnswer()
    {
        // A logger that says it is enabled and then throws (a sink that fails on write) is called for every event.
        var logger = new EnabledThrowingLogger();
        using ClusterSelector cluster = StubMembers.Cluster("refresh", ["gw-1", "gw-2"]);
        var members = new StubMembers().On("gw-2", _ => new HttpResponseMessage { Content = new StringContent("two") });
        using var client = new HttpClient(new ClusterRoutingHandler(cluster, logger: logger) { InnerHandler = members }) { BaseAddress = new Uri("http://refresh/") };

        Assert.Equal("two", await client.GetStringAsync("/q"));

        Assert.Equal(["gw-1", "gw-2"], members.Received.Select(r => r.Member));
        Assert.True(logger.Writes >= 3, $"{logger.Writes} events written"); // routed to gw-1, gw-1 unreachable, routed to gw-2
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    private sealed class EnabledThrowingLogger : ILogger
    {
        private int _writes;

        public int Writes => Volatile.Read(ref _writes);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Interlocked.Increment(ref _writes);
            throw new InvalidOperationException("The sink failed.");
        }
    }
}
