using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterRouting.Soak.Tests.Faults;

/// <summary>
/// A logger provider added to every router and member. For ClusterRouting's own categories (the engine, the HTTP
/// handler, the prober, the member's limits) its loggers throw while the schedule says so, from <c>IsEnabled</c> or
/// from <c>Log</c> in turn; otherwise they count the events by name (Information and above). Other categories
/// (ASP.NET Core, Kestrel, IHttpClientFactory) get no logger from it: the library answers for its own logging, not
/// for theirs.
/// </summary>
internal sealed class ThrowingLoggerProvider(FaultSwitches switches) : ILoggerProvider
{
    private readonly ConcurrentDictionary<string, long> _events = new(StringComparer.Ordinal);

    /// <summary>Gets the events logged while the loggers did not throw, by event name.</summary>
    public IReadOnlyDictionary<string, long> Events => _events;

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith("ClusterRouting", StringComparison.Ordinal) ? new SwitchLogger(this) : NullLogger.Instance;

    public void Dispose()
    {
        // Shared by every container of the soak: none of them owns it.
    }

    private sealed class SwitchLogger(ThrowingLoggerProvider provider) : ILogger
    {
        private int _calls;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel)
        {
            if (provider.ThrowsNow() && (Interlocked.Increment(ref _calls) & 1) == 0)
            {
                provider.Thrown();
                throw new InvalidOperationException("Soak fault: the logger throws from IsEnabled.");
            }

            return provider.ThrowsNow() || logLevel >= LogLevel.Information;
        }

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (provider.ThrowsNow())
            {
                provider.Thrown();
                throw new InvalidOperationException("Soak fault: the logger throws from Log.");
            }

            provider._events.AddOrUpdate(eventId.Name ?? eventId.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), 1, static (_, n) => n + 1);
        }
    }

    private bool ThrowsNow() => switches.LoggerThrows;

    private void Thrown() => switches.CountLoggerThrow();
}
