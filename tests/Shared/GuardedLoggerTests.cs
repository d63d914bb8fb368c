using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Testing;

/// <summary>
/// (Compiled into the HTTP and member-side test projects, as GuardedLogger is into both packages.) The satellites'
/// loggers: events pass through to the application's logger; whatever it throws is dropped.
/// </summary>
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
}
