using System.Collections.Concurrent;
using System.Diagnostics;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Tests.Scheduling;

/// <summary>
/// The cluster's timer on the real clock: it carries no caller's context, and it does not outlive its cluster.
/// Regressions: the timer kept the AsyncLocal values and <c>Activity.Current</c> of whichever call first armed it, so
/// timer-driven logs were attributed to an unrelated, finished request; and a selector with an armed timer left that
/// timer queued until it was due (up to 49.7 days): 300,000 throw-away clusters kept 35 MB.
/// </summary>
[Collection(AllocationGates.Name)] // Counts the process's active timers: alone, so other tests' timers do not move the count.
public class TimerContextAndLifetimeTests
{
    private static readonly AsyncLocal<string?> Request = new();
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task TimerEvents_AreNotAttributedToTheCallThatArmedTheTimer()
    {
        var logger = new ContextLogger();
        using var cluster = new ClusterSelector("context", new ClusterOptions { Members = { new("gw-0"), new("gw-1") } }, logger: logger);
        using var source = new ActivitySource("ClusterRouting.Tests.TimerContext");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == source.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
        };
        ActivitySource.AddActivityListener(listener);

        await Task.Run(() =>
        {
            using Activity? request = source.StartActivity("request-1");
            Request.Value = "request-1";
            cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromMilliseconds(50)); // arms the timer
        });

        (string? request, string? activity) = await logger.WaitFor("MemberUnthrottled");
        Assert.Null(request);
        Assert.Null(activity);
    }

    // Timer.ActiveCount counts the whole process's timers, which other code (finalizers of earlier tests' timers, the
    // runtime's own) moves by a few at any moment: the assertions compare changes of hundreds.
    [Fact]
    public void Dispose_ReleasesTheTimerAtOnce()
    {
        long before = Timer.ActiveCount;
        var clusters = new List<ClusterSelector>();
        for (int i = 0; i < 500; i++)
        {
            var cluster = new ClusterSelector("disposed", new ClusterOptions { Members = { new("gw-0") } });
            cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromDays(1));
            clusters.Add(cluster);
        }

        long armed = Timer.ActiveCount;
        Assert.True(armed - before >= 450, $"{armed - before} timers armed by 500 clusters");
        clusters.ForEach(c => c.Dispose());

        long released = armed - Timer.ActiveCount;
        Assert.True(released >= 450, $"{released} timers released by disposing 500 clusters");
    }

    [Fact]
    public async Task HedgedRuns_ReleaseTheirDelayTimerWhenTheyReturn()
    {
        // Each run arms its hedging delay (a day) and returns once its attempt succeeds: its timer must go with it.
        ClusterOptions options = new() { Members = { new("gw-0"), new("gw-1") }, MaxHedgedAttempts = 1, HedgingDelay = TimeSpan.FromDays(1) };
        using var cluster = new ClusterSelector("hedged", options);
        long before = Timer.ActiveCount;

        for (int i = 0; i < 500; i++)
        {
            Assert.Equal(1, await cluster.ExecuteAsync(static async (_, _) =>
            {
                await Task.Yield(); // no result yet: the hedged run takes the attempt over and arms its delay
                return 1;
            }));
        }

        long left = Timer.ActiveCount - before;
        Assert.True(left < 100, $"{left} hedging timers still queued after 500 runs returned");
    }

    [Fact]
    public void DroppedWithoutDispose_TheTimersAreReleasedWhenTheClustersAreCollected()
    {
        // Each cluster arms a timer for a day (Dispose_ReleasesTheTimerAtOnce shows they are armed); a collection during
        // the loop may already release some, which is what this test is about.
        long before = Timer.ActiveCount;
        WeakReference[] dropped = CreateAndDrop(2_000);

        for (int i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        Assert.All(dropped, r => Assert.False(r.IsAlive));
        long remaining = Timer.ActiveCount - before;
        Assert.True(remaining < 200, $"{remaining} of the dropped clusters' 2,000 timers still queued");

        static WeakReference[] CreateAndDrop(int count)
        {
            var references = new WeakReference[count];
            for (int i = 0; i < count; i++)
            {
                var cluster = new ClusterSelector("dropped", new ClusterOptions { Members = { new("gw-0") } });
                cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromDays(1));
                references[i] = new WeakReference(cluster);
            }

            return references;
        }
    }

    private sealed class ContextLogger : ILogger
    {
        private readonly ConcurrentQueue<(string Event, string? Request, string? Activity)> _seen = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _seen.Enqueue((eventId.Name!, Request.Value, Activity.Current?.DisplayName));

        public async Task<(string? Request, string? Activity)> WaitFor(string eventName)
        {
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < Patience)
            {
                foreach ((string name, string? request, string? activity) in _seen)
                {
                    if (name == eventName)
                    {
                        return (request, activity);
                    }
                }

                await Task.Delay(10);
            }

            throw new TimeoutException($"No {eventName} within {Patience}: {string.Join(", ", _seen.Select(s => s.Event))}.");
        }
    }
}
