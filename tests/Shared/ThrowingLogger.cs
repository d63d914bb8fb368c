using Microsoft.Extensions.Logging;

namespace ClusterRouting.Testing;

/// <summary>(Compiled into the HTTP and member-side test projects.) A logger that throws from every call, as a broken sink or a failing provider does; it counts the calls.</summary>
internal sealed class ThrowingLogger : ILogger
{
    private int _calls;

    /// <summary>Gets how many times the logger was called (and threw).</summary>
    public int Calls => Volatile.Read(ref _calls);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => throw Fail();

    public bool IsEnabled(LogLevel logLevel) => throw Fail();

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => throw Fail();

    private InvalidOperationException Fail()
    {
        Interlocked.Increment(ref _calls);
        return new InvalidOperationException("The logger failed.");
    }
}
