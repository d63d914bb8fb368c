using ClusterRouting.Testing;
using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Http.Tests.Diagnostics;

/// <summary>The router's loggers: events pass through to the application's logger; whatever it throws is dropped.</summary>
public sealed class GuardedLoggerTests
{
    [Fact]
    public void Wrap_WorkingLogger_PassesEventsLevelsAndScopesThrough()
    {
        var inner = new FakeLogger();
        inner.ControlLevel(LogLevel.Debug, enabled: false);
        ILogger logger = GuardedLogger.Wrap(inner);

        using (IDisposable? scope = logger.BeginScope("scope"))
        {
            Assert.NotNull(scope);
            logger.Log(LogLevel.Warning, new EventId(101, "MemberUnreachable"), "unreachable", null, static (s, _) => s);
        }

        Assert.True(logger.IsEnabled(LogLevel.Warning));
        Assert.False(logger.IsEnabled(LogLevel.Debug));
        FakeLogRecord record = Assert.Single(inner.Collector.GetSnapshot());
        Assert.Equal(("MemberUnreachable", "unreachable"), (record.Id.Name, record.Message));
    }

    [Fact]
    public void Wrap_ThrowingLogger_DropsWhatItThrows_AndSaysDisabled()
    {
        var inner = new ThrowingLogger();
        ILogger logger = GuardedLogger.Wrap(inner);

        Assert.Null(logger.BeginScope("scope"));
        Assert.False(logger.IsEnabled(LogLevel.Error));
        logger.Log(LogLevel.Error, new EventId(101), "state", null, static (s, _) => s);

        Assert.Equal(3, inner.Calls);
    }

    [Fact]
    public void Wrap_NullOrAlreadyGuarded_IsReturnedAsItIs()
    {
        ILogger guarded = GuardedLogger.Wrap(new FakeLogger());

        Assert.Same(guarded, GuardedLogger.Wrap(guarded));
        Assert.Same(NullLogger.Instance, GuardedLogger.Wrap(NullLogger.Instance));
    }

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
