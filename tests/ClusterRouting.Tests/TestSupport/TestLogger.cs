using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Tests.TestSupport;

/// <summary>Collects log entries so tests can assert on event ids, levels and structured fields.</summary>
internal sealed class TestLogger : ILogger
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var fields = new Dictionary<string, object?>();
        if (state is IEnumerable<KeyValuePair<string, object?>> pairs)
        {
            foreach (KeyValuePair<string, object?> pair in pairs)
            {
                fields[pair.Key] = pair.Value;
            }
        }

        Entries.Enqueue(new LogEntry(logLevel, eventId, formatter(state, exception), fields, exception));
    }

    public LogEntry[] WithEvent(string eventName) => Entries.Where(e => e.EventId.Name == eventName).ToArray();
}

internal sealed record LogEntry(LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, object?> Fields, Exception? Exception);
