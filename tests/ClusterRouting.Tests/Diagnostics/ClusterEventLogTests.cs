using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Tests.Diagnostics;

/// <summary>
/// <see cref="ClusterEventLog"/> on its own: a change's events written in order, each event its own log event, and a
/// logger that throws counted once per failing event while the remaining events are still written.
/// </summary>
public class ClusterEventLogTests
{
    private readonly FakeLogger _sink = new();

    // ClusterEvent is internal: theories take an index into this table.
    private static readonly (ClusterEvent Event, int Id, string Name, LogLevel Level)[] Table =
    [
        (new MemberLimitExceededEvent(11), 1, "MemberLimitExceeded", LogLevel.Warning),
        (new VersionSkewEvent("1.0, 2.0"), 2, "VersionSkew", LogLevel.Warning),
        (new MemberAddedEvent("gw-0", 0), 3, "MemberAdded", LogLevel.Information),
        (new MemberRemovedEvent("gw-0"), 4, "MemberRemoved", LogLevel.Information),
        (new MemberEnabledChangedEvent("gw-0", false), 5, "MemberEnabledChanged", LogLevel.Information),
        (new ModeChangedEvent(SelectionMode.Random), 6, "ModeChanged", LogLevel.Information),
        (new ThrottlePolicyFailedEvent(new InvalidOperationException(), "gw-0", "p", ThrottlePolicyFailureMode.FailOpen), 7, "ThrottlePolicyFailed", LogLevel.Error),
        (new MemberThrottledEvent("gw-0", MemberRejectionReason.CpuLimit), 8, "MemberThrottled", LogLevel.Information),
        (new MemberUnthrottledEvent("gw-0"), 9, "MemberUnthrottled", LogLevel.Information),
        (new MemberRefusedEvent("gw-0", ThrottleLimitKind.Memory, TimeSpan.FromSeconds(3)), 10, "MemberRefused", LogLevel.Information),
        (new PenaltyStartedEvent("gw-0", 2, TimeSpan.FromSeconds(10)), 11, "PenaltyStarted", LogLevel.Warning),
        (new ProbeOpenedEvent("gw-0"), 12, "ProbeOpened", LogLevel.Information),
        (new PenaltyEndedEvent("gw-0"), 13, "PenaltyEnded", LogLevel.Information),
        (new AllMembersThrottledEvent(2), 15, "AllMembersThrottled", LogLevel.Warning),
        (new CallbackFailedEvent(CallbackKind.Timer, new InvalidOperationException()), 17, "CallbackFailed", LogLevel.Error),
    ];

    public static TheoryData<int> EventIndexes => new(Enumerable.Range(0, Table.Length));

    [Fact]
    public void Write_Null_WritesNothing()
    {
        var failures = new CallbackFailures("c1", _sink);

        new ClusterEventLog("c1", _sink, failures).Write(null);

        Assert.Equal(0, _sink.Collector.Count);
    }

    [Theory]
    [MemberData(nameof(EventIndexes))]
    public void Write_EachEvent_IsItsOwnLogEvent_ForTheCluster(int index)
    {
        (ClusterEvent clusterEvent, int id, string name, LogLevel level) = Table[index];
        var failures = new CallbackFailures("c1", _sink);

        new ClusterEventLog("c1", _sink, failures).Write([clusterEvent]);

        FakeLogRecord record = Assert.Single(_sink.Collector.GetSnapshot());
        Assert.Equal(id, record.Id.Id);
        Assert.Equal(name, record.Id.Name);
        Assert.Equal(level, record.Level);
        Assert.Equal("c1", record.GetStructuredStateValue("ClusterName"));
    }

    [Fact]
    public void Write_SeveralEvents_WritesThemInOrder()
    {
        var failures = new CallbackFailures("c1", _sink);
        List<ClusterEvent> events =
        [
            new MemberAddedEvent("gw-2", 2),
            new ModeChangedEvent(SelectionMode.RoundRobin),
            new MemberRemovedEvent("gw-0"),
            new PenaltyStartedEvent("gw-1", 1, TimeSpan.FromSeconds(5)),
        ];

        new ClusterEventLog("c1", _sink, failures).Write(events);

        Assert.Equal(
            ["MemberAdded", "ModeChanged", "MemberRemoved", "PenaltyStarted"],
            _sink.Collector.GetSnapshot().Select(r => r.Id.Name));
        Assert.Equal("gw-2", _sink.Collector.GetSnapshot()[0].GetStructuredStateValue("MemberId"));
        Assert.Equal("2", _sink.Collector.GetSnapshot()[0].GetStructuredStateValue("MemberIndex"));
    }

    [Fact]
    public void Write_LoggerThrowsForSomeEvents_CountsEachOnce_AndWritesTheRest()
    {
        var logger = new SelectivelyThrowingLogger(_sink, failingEventId: 4); // MemberRemoved
        var failures = new CallbackFailures("c1", logger);
        List<ClusterEvent> events =
        [
            new MemberAddedEvent("gw-2", 2),
            new MemberRemovedEvent("gw-0"),
            new ModeChangedEvent(SelectionMode.Random),
            new MemberRemovedEvent("gw-1"),
            new MemberAddedEvent("gw-3", 2),
        ];

        Exception? escaped = Record.Exception(() => new ClusterEventLog("c1", logger, failures).Write(events));

        Assert.Null(escaped);
        Assert.Equal(2, failures.CountOf(CallbackKind.Logger));
        Assert.Equal(["MemberAdded", "ModeChanged", "MemberAdded"], _sink.Collector.GetSnapshot().Select(r => r.Id.Name));
        Assert.Equal(0, failures.CountOf(CallbackKind.Timer));
    }

    [Fact]
    public void FailedOver_LogsADebugEventWithThePosition()
    {
        var failures = new CallbackFailures("c1", _sink);

        new ClusterEventLog("c1", _sink, failures).FailedOver("gw-2", 2);

        FakeLogRecord record = Assert.Single(_sink.Collector.GetSnapshot());
        Assert.Equal(14, record.Id.Id);
        Assert.Equal("FailedOver", record.Id.Name);
        Assert.Equal(LogLevel.Debug, record.Level);
        Assert.Equal("gw-2", record.GetStructuredStateValue("MemberId"));
        Assert.Equal("2", record.GetStructuredStateValue("MemberIndex"));
    }

    [Fact]
    public void FailedOver_LoggerThrows_IsCounted_AndNothingEscapes()
    {
        var logger = new SelectivelyThrowingLogger(_sink, failingEventId: 14);
        var failures = new CallbackFailures("c1", logger);

        Exception? escaped = Record.Exception(() => new ClusterEventLog("c1", logger, failures).FailedOver("gw-1", 1));

        Assert.Null(escaped);
        Assert.Equal(1, failures.CountOf(CallbackKind.Logger));
    }

    /// <summary>Forwards to a sink, but throws for one event id.</summary>
    private sealed class SelectivelyThrowingLogger(ILogger sink, int failingEventId) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == failingEventId)
            {
                throw new InvalidOperationException($"cannot write event {eventId.Id}");
            }

            sink.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
