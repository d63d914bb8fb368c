using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Tests.Diagnostics;

/// <summary>
/// <see cref="CallbackFailures"/> on its own: one count per kind of user code, and <c>CallbackFailed</c> logged for
/// every kind but a failing logger, without ever throwing.
/// </summary>
public class CallbackFailuresTests
{
    // CallbackKind is internal: theories take its value as an int.
    public static TheoryData<int, string, string> Kinds => new()
    {
        { (int)CallbackKind.ThrottlePolicy, "throttle_policy", "throttle policy" },
        { (int)CallbackKind.Logger, "logger", "logger" },
        { (int)CallbackKind.MeterListener, "meter_listener", "meter listener" },
        { (int)CallbackKind.OfflinePredicate, "offline_predicate", "offline predicate" },
        { (int)CallbackKind.Timer, "timer", "timer callback" },
    };

    [Fact]
    public void CountOf_New_IsZeroForEveryKind()
    {
        var failures = new CallbackFailures("c1", new FakeLogger());

        Assert.All(Enum.GetValues<CallbackKind>(), kind => Assert.Equal(0, failures.CountOf(kind)));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Count_CountsOnlyItsKind_WithoutLogging(int kindValue, string tag, string description)
    {
        _ = (tag, description);
        var kind = (CallbackKind)kindValue;
        var logger = new FakeLogger();
        var failures = new CallbackFailures("c1", logger);

        failures.Count(kind);
        failures.Count(kind);

        Assert.All(Enum.GetValues<CallbackKind>(), other => Assert.Equal(other == kind ? 2 : 0, failures.CountOf(other)));
        Assert.Equal(0, logger.Collector.Count);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TagOfAndDescribe_EachKind(int kindValue, string tag, string description)
    {
        var kind = (CallbackKind)kindValue;
        Assert.Equal(tag, CallbackFailures.TagOf(kind));
        Assert.Equal(description, CallbackFailures.Describe(kind));
    }

    [Fact]
    public void KindCount_IsTheNumberOfKinds()
    {
        Assert.Equal(Enum.GetValues<CallbackKind>().Length, CallbackFailures.KindCount);
    }

    [Theory]
    [InlineData((int)CallbackKind.ThrottlePolicy)]
    [InlineData((int)CallbackKind.MeterListener)]
    [InlineData((int)CallbackKind.OfflinePredicate)]
    [InlineData((int)CallbackKind.Timer)]
    public void Report_UserCodeFailed_CountsAndLogsCallbackFailed(int kindValue)
    {
        var kind = (CallbackKind)kindValue;
        var logger = new FakeLogger();
        var failures = new CallbackFailures("c1", logger);
        var thrown = new InvalidOperationException("user code");

        failures.Report(kind, thrown);

        Assert.Equal(1, failures.CountOf(kind));
        FakeLogRecord record = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(17, record.Id.Id);
        Assert.Equal("CallbackFailed", record.Id.Name);
        Assert.Equal(LogLevel.Error, record.Level);
        Assert.Same(thrown, record.Exception);
        Assert.Equal(CallbackFailures.Describe(kind), record.GetStructuredStateValue("Callback"));
        Assert.Equal("c1", record.GetStructuredStateValue("ClusterName"));
    }

    [Fact]
    public void Report_LoggerFailed_CountsWithoutLoggingToIt()
    {
        var logger = new FakeLogger();
        var failures = new CallbackFailures("c1", logger);

        failures.Report(CallbackKind.Logger, new InvalidOperationException("sink"));

        Assert.Equal(1, failures.CountOf(CallbackKind.Logger));
        Assert.Equal(0, logger.Collector.Count);
    }

    [Fact]
    public void Report_LoggerThrowsWhileReporting_CountsBoth_AndNothingEscapes()
    {
        var failures = new CallbackFailures("c1", new ThrowingLogger());

        Exception? escaped = Record.Exception(() => failures.Report(CallbackKind.Timer, new InvalidOperationException("timer")));

        Assert.Null(escaped);
        Assert.Equal(1, failures.CountOf(CallbackKind.Timer));
        Assert.Equal(1, failures.CountOf(CallbackKind.Logger));
    }

    [Fact]
    public async Task Count_FromManyThreads_LosesNothing()
    {
        var failures = new CallbackFailures("c1", new FakeLogger());

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                failures.Count(CallbackKind.MeterListener);
            }
        }))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(40_000, failures.CountOf(CallbackKind.MeterListener));
    }

    /// <summary>A logger whose every write throws.</summary>
    private sealed class ThrowingLogger : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            throw new InvalidOperationException("logger");
    }
}
