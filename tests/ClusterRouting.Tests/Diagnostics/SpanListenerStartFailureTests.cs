using System.Diagnostics;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Diagnostics;

/// <summary>
/// A tracer whose <see cref="ActivityListener.ActivityStarted"/> throws as an attempt's span starts, after the run has
/// taken the member's slot: its exception ends the run, as one thrown as the span ends does, and the slot is given back
/// first. Nothing ran on the member, so nothing is recorded against it.
/// </summary>
/// <remarks>
/// Regression: the span was started outside the attempt's <c>try</c>, so the lease it had just taken was never released
/// (the member kept an operation in flight for good), with or without hedging.
/// </remarks>
public class SpanListenerStartFailureTests
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task AttemptSpanStartThrows_Unhedged_TheListenersErrorEndsTheRun_AndNoSlotIsKept(int failingAttempt)
    {
        // gw-0 is offline, so the run's second attempt goes to gw-1; the tracer fails as the chosen attempt's span starts.
        string name = "span-start-" + Guid.NewGuid().ToString("N");
        var broken = new InvalidOperationException("the tracer is broken");
        using ActivityListener listener = FailingAtAttemptStart(name, failingAttempt, broken);
        using var cluster = new ClusterSelector(name, Clusters.Options(2), new FakeTimeProvider());
        var started = new List<string>();

        Task<string> run = cluster.ExecuteAsync((lease, _) =>
        {
            started.Add(lease.MemberId);
            return lease.MemberId == "gw-0" ? throw new MemberOfflineException("down") : new ValueTask<string>(lease.MemberId);
        }).AsTask();

        Assert.Same(broken, await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TestTimeout)));
        Assert.Equal(failingAttempt == 1 ? [] : ["gw-0"], started);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
        Assert.Equal(failingAttempt == 1 ? MemberHealth.Online : MemberHealth.Penalized, cluster.GetStatus().Members[0].Health);
        Assert.Equal(MemberHealth.Online, cluster.GetStatus().Members[1].Health);
    }

    [Fact]
    public async Task HedgeSpanStartThrows_TheListenersErrorEndsTheRun_TheFirstAttemptIsCancelled_AndNoSlotIsKept()
    {
        string name = "span-start-hedge-" + Guid.NewGuid().ToString("N");
        var broken = new InvalidOperationException("the tracer is broken");
        using ActivityListener listener = FailingAtAttemptStart(name, 2, broken);
        using ClusterSelector cluster = Clusters.Hedged(2, 1, TimeSpan.Zero, new FakeTimeProvider(), name: name);
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();

        Assert.Same(broken, await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TestTimeout)));
        Assert.Equal(["gw-0"], members.Started);
        Assert.Equal(["gw-0"], members.Cancelled);
        Assert.All(cluster.GetStatus().Members, m =>
        {
            Assert.Equal(0, m.InFlight);
            Assert.Equal(MemberHealth.Online, m.Health);
        });
    }

    /// <summary>A listener that throws <paramref name="broken"/> as the <paramref name="attempt"/>th attempt span of the cluster <paramref name="clusterName"/> starts.</summary>
    private static ActivityListener FailingAtAttemptStart(string clusterName, int attempt, Exception broken)
    {
        // An attempt's tags are set after it starts, and so are its run's, but the run's are set by the time its attempts
        // start: the runs are kept by span id to read them then.
        var runs = new System.Collections.Concurrent.ConcurrentDictionary<ActivitySpanId, Activity>();
        int starts = 0;
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ClusterRoutingTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = span =>
            {
                if (span.OperationName == ClusterRoutingTelemetry.ExecuteActivityName)
                {
                    runs[span.SpanId] = span;
                }
                else if (span.OperationName == ClusterRoutingTelemetry.AttemptActivityName
                    && runs.TryGetValue(span.ParentSpanId, out Activity? run)
                    && (string?)run.GetTagItem(ClusterRoutingTelemetry.ClusterTag) == clusterName
                    && Interlocked.Increment(ref starts) == attempt)
                {
                    throw broken;
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
