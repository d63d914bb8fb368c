using System.Collections.Concurrent;
using System.Diagnostics;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using T = ClusterRouting.ClusterRoutingTelemetry;

namespace ClusterRouting.Tests.Diagnostics;

/// <summary>
/// The spans of a run that fails (its <c>error.type</c>, limit and status) and of its attempts (outcome and
/// <c>error.type</c>), with and without hedging, read from an activity listener by each test's own cluster name.
/// </summary>
public sealed class RunTracingTests : IDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(10);
    private readonly string _name = "run-traced-" + Guid.NewGuid().ToString("N");
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;
    private readonly FakeTimeProvider _time = new();

    public RunTracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == T.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task NoMemberIsAvailable_TheRunSaysUnavailable_WithoutALimit()
    {
        using ClusterSelector cluster = Create(2);
        cluster.SetMemberEnabled("gw-0", false);
        cluster.SetMemberEnabled("gw-1", false);

        var error = await Assert.ThrowsAsync<NoMemberAvailableException>(() => cluster.ExecuteAsync(static (_, _) => new ValueTask<int>(1)).AsTask());

        Activity run = Run();
        Assert.Equal("unavailable", run.GetTagItem(T.ErrorTypeTag));
        Assert.Null(run.GetTagItem(T.LimitTag));
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.Equal(error.Message, run.StatusDescription);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryTriedMemberFailed_TheRunSaysAllMembersFailed(bool primaryOnly)
    {
        using ClusterSelector cluster = Create(2);
        Func<MemberLease, CancellationToken, ValueTask<int>> offline = static (_, _) => throw new MemberOfflineException("down");

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(() =>
            primaryOnly ? cluster.ExecutePrimaryAsync(offline).AsTask() : cluster.ExecuteAsync(offline).AsTask());

        Activity run = Run();
        Assert.Equal("all_members_failed", run.GetTagItem(T.ErrorTypeTag));
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.Equal(error.Message, run.StatusDescription);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TriedMemberRefusedAndTheOtherIsThrottled_TheRunSaysAllMembersFailed_WithoutALimit(bool hedged)
    {
        using ClusterSelector cluster = Create(2, o =>
        {
            o.CPUUtilizationPercentageThreshold = 80;
            o.MaxHedgedAttempts = hedged ? 1 : 0;
            o.HedgingDelay = TimeSpan.FromSeconds(1);
        });
        cluster.ReportUtilization("gw-1", 95, 10);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Task<int> running = cluster.ExecuteAsync<int>(async (_, _) =>
        {
            if (hedged)
            {
                await gate.Task; // the attempt goes async, so a hedged run takes it over
            }

            throw new MemberRefusedException(ThrottleLimitKind.Memory); // every member is now at a limit
        }).AsTask();
        gate.SetResult();

        await Assert.ThrowsAsync<AllMembersFailedException>(() => running.WaitAsync(TestTimeout));
        Activity run = Run();
        Assert.Equal("all_members_failed", run.GetTagItem(T.ErrorTypeTag));
        Assert.Null(run.GetTagItem(T.LimitTag));
        Assert.Equal(ActivityStatusCode.Error, run.Status);
    }

    [Fact]
    public async Task AttemptRefused_IsTaggedRefused()
    {
        using ClusterSelector cluster = Create(2);

        Assert.Equal("gw-1", await cluster.ExecuteAsync(static (lease, _) =>
            lease.MemberId == "gw-0" ? throw new MemberRefusedException(ThrottleLimitKind.Cpu) : new ValueTask<string>(lease.MemberId)));

        Activity attempt = Attempt("gw-0");
        Assert.Equal("refused", attempt.GetTagItem(T.AttemptOutcomeTag));
        Assert.Equal("refused", attempt.GetTagItem(T.ErrorTypeTag));
        Assert.Equal(ActivityStatusCode.Error, attempt.Status);
    }

    [Theory]
    [InlineData("refused", "refused")]
    [InlineData("offline", "offline")]
    [InlineData("error", "System.InvalidOperationException")]
    public async Task HedgeEndingWithAnError_IsTaggedWithHowItEnded(string outcome, string errorType)
    {
        using ClusterSelector cluster = Create(2, o =>
        {
            o.MaxHedgedAttempts = 1;
            o.HedgingDelay = TimeSpan.Zero;
        });
        Exception thrown = outcome switch
        {
            "refused" => new MemberRefusedException(ThrottleLimitKind.Memory),
            "offline" => new MemberOfflineException("down"),
            _ => new InvalidOperationException("the operation's own bug"),
        };
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync((lease, token) => lease.MemberId == "gw-0" ? members.Run(lease, token) : throw thrown).AsTask();
        if (thrown is InvalidOperationException)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(TestTimeout));
        }
        else
        {
            members.Succeed("gw-0");
            Assert.Equal("gw-0", await run.WaitAsync(TestTimeout));
        }

        Activity hedge = Attempt("gw-1");
        Assert.Equal(true, hedge.GetTagItem(T.HedgeTag));
        Assert.Equal(outcome, hedge.GetTagItem(T.AttemptOutcomeTag));
        Assert.Equal(errorType, hedge.GetTagItem(T.ErrorTypeTag));
        Assert.Equal(ActivityStatusCode.Error, hedge.Status);
    }

    [Fact]
    public async Task HedgedAttemptEndingAfterTheClusterWasDisposed_IsTaggedAnError_WithTheDisposal()
    {
        // The offline outcome can't be recorded on a disposed cluster: the attempt ends with that error, which decides the run.
        ClusterSelector cluster = Create(2, o =>
        {
            o.MaxHedgedAttempts = 1;
            o.HedgingDelay = TimeSpan.FromSeconds(1);
        });
        var members = new ControlledMembers();

        Task<string> run = cluster.ExecuteAsync(members.Run).AsTask();
        await members.WaitForStartsAsync(1);
        cluster.Dispose();
        members.Fail("gw-0", new MemberOfflineException("down"));

        await Assert.ThrowsAsync<ObjectDisposedException>(() => run.WaitAsync(TestTimeout));
        Activity attempt = Attempt("gw-0");
        Assert.Equal("error", attempt.GetTagItem(T.AttemptOutcomeTag));
        Assert.Equal(typeof(ObjectDisposedException).FullName, attempt.GetTagItem(T.ErrorTypeTag));
        Assert.Equal(ActivityStatusCode.Error, attempt.Status);
        Assert.Equal("error", attempt.StatusDescription);
    }

    private ClusterSelector Create(int members, Action<ClusterOptions>? configure = null)
    {
        ClusterOptions options = Clusters.Options(members);
        options.OfflinePenaltyJitter = 0;
        configure?.Invoke(options);
        return new ClusterSelector(_name, options, _time);
    }

    private Activity[] Mine() => _stopped.Where(s => (string?)s.GetTagItem(T.ClusterTag) == _name).ToArray();

    private Activity Run() => Assert.Single(Mine(), s => s.OperationName == T.ExecuteActivityName);

    private Activity Attempt(string member) =>
        Assert.Single(Mine(), s => s.OperationName == T.AttemptActivityName && (string?)s.GetTagItem(T.MemberTag) == member);
}
