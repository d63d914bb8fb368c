using Microsoft.Extensions.Logging;

namespace ClusterRouting.Tests.TestSupport;

/// <summary>
/// A logger provider for a service collection (<c>services.AddLogging(b => b.AddProvider(provider))</c>): every
/// category logs to the same <see cref="TestLogger"/>, so tests can assert on what the library logged through DI.
/// </summary>
internal sealed class TestLoggerProvider : ILoggerProvider
{
    public TestLogger Logger { get; } = new();

    public ILogger CreateLogger(string categoryName) => Logger;

    public void Dispose()
    {
    }
}
