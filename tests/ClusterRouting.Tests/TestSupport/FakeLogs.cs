using Microsoft.Extensions.Logging.Testing;

namespace ClusterRouting.Tests.TestSupport;

/// <summary>Finds the records of one event, by its name, among what a fake logger collected.</summary>
internal static class FakeLogs
{
    /// <summary>The records of the event named <paramref name="eventName"/>, in the order they were logged.</summary>
    public static FakeLogRecord[] WithEvent(this FakeLogCollector collector, string eventName) =>
        collector.GetSnapshot().Where(r => r.Id.Name == eventName).ToArray();

    /// <inheritdoc cref="WithEvent(FakeLogCollector, string)"/>
    public static FakeLogRecord[] WithEvent(this FakeLogger logger, string eventName) => logger.Collector.WithEvent(eventName);
}
