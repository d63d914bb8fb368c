using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterRouting;

/// <summary>
/// A logger of the satellites (compiled into ClusterRouting.Http and ClusterRouting.AspNetCore from this one file):
/// what the application's logger throws (a broken sink, a provider that fails) is dropped with the event. The router's
/// handler logs on the request path, where a throw would end the request with the logger's exception instead of the
/// member's answer, a failover or the library's typed error; its prober logs in each member's probe loop, where a throw
/// would end the member's probing; the member logs on its request path, where a throw would turn its 503 refusal into
/// a 500 that a router takes as the answer, and on its sampler's timer, where a throw ends the process.
/// </summary>
internal sealed class GuardedLogger : ILogger
{
    private readonly ILogger _inner;

    private GuardedLogger(ILogger inner) => _inner = inner;

    public static ILogger Wrap(ILogger logger) => logger is GuardedLogger or NullLogger ? logger : new GuardedLogger(logger);

#pragma warning disable CA1031 // Whatever a logger throws is dropped: logging must not fail a request, a probe loop or a timer.
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
    {
        try
        {
            return _inner.BeginScope(state);
        }
        // Stryker disable once Block : an emptied catch block returns default, the same null it returns
        catch (Exception)
        {
            return null;
        }
    }

    public bool IsEnabled(LogLevel logLevel)
    {
        try
        {
            return _inner.IsEnabled(logLevel);
        }
        catch (Exception)
        {
            return false;
        }
    }

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            _inner.Log(logLevel, eventId, state, exception, formatter);
        }
        catch (Exception)
        {
            // Dropped with the event.
        }
    }
#pragma warning restore CA1031
}
