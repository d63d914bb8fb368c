using System.Diagnostics;

namespace ClusterRouting.AspNetCore.Tests.TestSupport;

/// <summary>Bounded waits: a condition that never comes true fails the test instead of hanging it.</summary>
internal static class Waits
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(15);

    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan limit = timeout ?? Default;
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Timed out after {limit.TotalSeconds} s waiting until {what}.");
            }

            await Task.Delay(10);
        }
    }
}
