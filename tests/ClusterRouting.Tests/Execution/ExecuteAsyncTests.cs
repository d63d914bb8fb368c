using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Execution;

public class ExecuteAsyncTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task ExecuteAsync_FirstAttemptSucceeds_ReturnsItsResultAndEndsTheLease()
    {
        ClusterSelector cluster = Create(3);
        var seen = new List<string>();

        string result = await cluster.ExecuteAsync((lease, _) =>
        {
            seen.Add(lease.MemberId);
            return new ValueTask<string>($"served by {lease.MemberId}");
        });

        Assert.Equal("served by gw-0", result);
        Assert.Equal(new[] { "gw-0" }, seen);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public async Task ExecuteAsync_PrimaryOffline_PenalizesItAndRunsOnTheNextInOrder()
    {
        ClusterSelector cluster = Create(3);
        var seen = new List<string>();

        string result = await cluster.ExecuteAsync((lease, _) =>
        {
            seen.Add(lease.MemberId);
            return lease.MemberId == "gw-0" ? throw new MemberOfflineException() : new ValueTask<string>(lease.MemberId);
        });

        Assert.Equal("gw-1", result);
        Assert.Equal(new[] { "gw-0", "gw-1" }, seen);
        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[0].Health);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Theory]
    [InlineData(SelectionMode.Failover)]
    [InlineData(SelectionMode.Random)]
    [InlineData(SelectionMode.RoundRobin)]
    public async Task ExecuteAsync_EveryMemberOffline_TriesEachOnceAndListsEveryAttempt(SelectionMode mode)
    {
        ClusterSelector cluster = Create(4, mode);
        var seen = new List<string>();

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(async () => await cluster.ExecuteAsync<string>((lease, _) =>
        {
            seen.Add(lease.MemberId);
            throw new MemberOfflineException($"{lease.MemberId} refused the connection");
        }));

        Assert.Equal(4, seen.Count);
        Assert.Equal(4, seen.Distinct().Count());
        Assert.Equal(seen, error.Attempts.Select(a => a.MemberId));
        Assert.All(error.Attempts, a => Assert.Equal(AttemptOutcome.Offline, a.Outcome));
        Assert.All(error.Attempts, a => Assert.IsType<MemberOfflineException>(a.Exception));
        Assert.Same(error.Attempts[^1].Exception, error.InnerException);
        Assert.Equal("test", error.ClusterName);
        Assert.StartsWith("Every member of cluster 'test' that the operation was tried on failed: ", error.Message, StringComparison.Ordinal);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(MemberHealth.Penalized, m.Health));
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public async Task ExecuteAsync_ClassifierSaysOffline_MovesOn()
    {
        ClusterSelector cluster = Create(2, configure: o => o.IsOfflineException = ex => ex is HttpRequestException);

        string result = await cluster.ExecuteAsync((lease, _) =>
            lease.MemberId == "gw-0" ? throw new HttpRequestException("Connection refused") : new ValueTask<string>(lease.MemberId));

        Assert.Equal("gw-1", result);
        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[0].Health);
    }

    [Fact]
    public async Task ExecuteAsync_OperationsOwnError_PropagatesUnchangedWithoutRetryOrPenalty()
    {
        ClusterSelector cluster = Create(3, configure: o => o.IsOfflineException = ex => ex is HttpRequestException);
        var own = new InvalidOperationException("bad query");
        int attempts = 0;

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await cluster.ExecuteAsync<int>((_, _) =>
        {
            attempts++;
            throw own;
        }));

        Assert.Same(own, thrown);
        Assert.Equal(1, attempts);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(MemberHealth.Online, m.Health));
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public async Task ExecuteAsync_ClassifierThrows_TheOperationsErrorPropagates()
    {
        ClusterSelector cluster = Create(2, configure: o => o.IsOfflineException = _ => throw new FormatException("classifier bug"));

        await Assert.ThrowsAsync<TimeoutException>(async () => await cluster.ExecuteAsync<int>((_, _) => throw new TimeoutException()));

        Assert.Equal(MemberHealth.Online, cluster.GetStatus().Members[0].Health);
    }

    [Fact]
    public async Task ExecuteAsync_MemberRefuses_MovesOnWithoutAPenalty()
    {
        ClusterSelector cluster = Create(2);

        string result = await cluster.ExecuteAsync((lease, _) =>
            lease.MemberId == "gw-0" ? throw new MemberRefusedException(ThrottleLimitKind.Cpu) : new ValueTask<string>(lease.MemberId));

        Assert.Equal("gw-1", result);
        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Equal(MemberHealth.Online, primary.Health);
        Assert.Equal(MemberRejectionReason.CpuLimit, primary.Throttle);
        Assert.Equal(TimeSpan.FromSeconds(30), primary.ThrottleRetryAfter);
        Assert.Equal("gw-1", cluster.SelectOnce());
    }

    [Fact]
    public async Task ExecuteAsync_RefusalAndOffline_BothListedWhenEveryMemberFails()
    {
        ClusterSelector cluster = Create(2);

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(async () => await cluster.ExecuteAsync<int>((lease, _) =>
            lease.MemberId == "gw-0"
                ? throw new MemberRefusedException(ThrottleLimitKind.Memory, TimeSpan.FromSeconds(9))
                : throw new MemberOfflineException()));

        Assert.Equal(new[] { AttemptOutcome.Refused, AttemptOutcome.Offline }, error.Attempts.Select(a => a.Outcome));
        Assert.Equal(GatewayMessages.Memory, error.Attempts[0].Exception.Message);
        Assert.Equal(TimeSpan.FromSeconds(9), cluster.GetStatus().Members[0].ThrottleRetryAfter);
    }

    [Fact]
    public async Task ExecuteAsync_TwoRefusals_BothListedInOrder_WithTheirLimits()
    {
        ClusterSelector cluster = Create(3);

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(async () => await cluster.ExecuteAsync<int>((lease, _) =>
            lease.MemberId switch
            {
                "gw-0" => throw new MemberRefusedException(ThrottleLimitKind.Cpu),
                "gw-1" => throw new MemberRefusedException(ThrottleLimitKind.Memory),
                _ => throw new MemberOfflineException(),
            }));

        Assert.Equal(["gw-0", "gw-1", "gw-2"], error.Attempts.Select(a => a.MemberId));
        Assert.Equal([AttemptOutcome.Refused, AttemptOutcome.Refused, AttemptOutcome.Offline], error.Attempts.Select(a => a.Outcome));
        Assert.Equal(ThrottleLimitKind.Cpu, Assert.IsType<MemberRefusedException>(error.Attempts[0].Exception).Limit);
        Assert.Equal(ThrottleLimitKind.Memory, Assert.IsType<MemberRefusedException>(error.Attempts[1].Exception).Limit);
        Assert.Equal(MemberRejectionReason.CpuLimit, cluster.GetStatus().Members[0].Throttle);
        Assert.Equal(MemberRejectionReason.MemoryLimit, cluster.GetStatus().Members[1].Throttle);
    }

    [Fact]
    public async Task ExecuteAsync_MembersAddedDuringTheRun_AreTriedToo_EachOnce()
    {
        ClusterSelector cluster = Create(1);
        var seen = new List<string>();

        // Each failing attempt adds the next member: the run outgrows the members it was sized for.
        string result = await cluster.ExecuteAsync((lease, _) =>
        {
            seen.Add(lease.MemberId);
            if (seen.Count == 6)
            {
                return new ValueTask<string>(lease.MemberId);
            }

            cluster.AddMember($"gw-{seen.Count}");
            throw new MemberOfflineException();
        });

        Assert.Equal("gw-5", result);
        Assert.Equal(["gw-0", "gw-1", "gw-2", "gw-3", "gw-4", "gw-5"], seen);
    }

    [Fact]
    public async Task ExecuteAsync_TheOnlyMemberRemovedDuringItsFailedAttempt_FailsListingIt()
    {
        ClusterSelector cluster = Create(1);

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(async () => await cluster.ExecuteAsync<int>((lease, _) =>
        {
            cluster.RemoveMember(lease.MemberId);
            throw new MemberOfflineException();
        }));

        MemberAttempt attempt = Assert.Single(error.Attempts);
        Assert.Equal("gw-0", attempt.MemberId);
        Assert.Equal(AttemptOutcome.Offline, attempt.Outcome);
        Assert.Equal(0, cluster.MemberCount);
    }

    [Fact]
    public async Task ExecuteAsync_CanceledBefore_DoesNotRunTheOperation()
    {
        ClusterSelector cluster = Create(2);
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        bool ran = false;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cluster.ExecuteAsync((_, _) =>
        {
            ran = true;
            return new ValueTask<int>(1);
        }, canceled.Token));

        Assert.False(ran);
    }

    [Fact]
    public async Task ExecuteAsync_CanceledDuringAnAttempt_PropagatesWithoutRetryOrPenalty()
    {
        ClusterSelector cluster = Create(2, configure: o => o.IsOfflineException = _ => true);
        using var cancel = new CancellationTokenSource();
        int attempts = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cluster.ExecuteAsync<int>(async (_, ct) =>
        {
            attempts++;
            await cancel.CancelAsync();
            await Task.Delay(Timeout.Infinite, ct);
            return 0;
        }, cancel.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(1, attempts);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(MemberHealth.Online, m.Health));
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public async Task ExecuteAsync_CanceledBetweenAttempts_StopsBeforeTheNext()
    {
        ClusterSelector cluster = Create(3);
        using var cancel = new CancellationTokenSource();
        var seen = new List<string>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cluster.ExecuteAsync<int>((lease, _) =>
        {
            seen.Add(lease.MemberId);
            cancel.Cancel();
            throw new MemberOfflineException();
        }, cancel.Token));

        Assert.Equal(new[] { "gw-0" }, seen);
    }

    [Fact]
    public async Task ExecuteAsync_NoMemberCanBeSelected_ThrowsTheSelectionError()
    {
        ClusterSelector cluster = Create(2, configure: o => o.CPUUtilizationPercentageThreshold = 50);
        cluster.ReportUtilization("gw-0", 60, 0);
        cluster.ReportUtilization("gw-1", 60, 0);

        var error = await Assert.ThrowsAsync<ClusterThrottledException>(async () => await cluster.ExecuteAsync((_, _) => new ValueTask<int>(1)));

        Assert.Equal(GatewayMessages.Cpu, error.Message);
    }

    [Fact]
    public async Task ExecuteAsync_AsynchronousOperation_Works()
    {
        ClusterSelector cluster = Create(2, SelectionMode.Failover, o => o.ConcurrentOperationLimitPreview = 1);

        // Ten operations at once, each finishing on a pool thread: one slot each on two members, so two run and the
        // other eight find both members busy.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var results = new List<Task<int>>();
        for (int i = 0; i < 10; i++)
        {
            results.Add(cluster.ExecuteAsync(async (lease, ct) =>
            {
                await gate.Task;
                return lease.MemberIndex + 1;
            }).AsTask());
        }

        gate.SetResult();
        await Task.WhenAll(results.Where(t => t.Status != TaskStatus.Faulted));

        Assert.Equal(new[] { 1, 2 }, results.Where(t => t.Status == TaskStatus.RanToCompletion).Select(t => t.Result).Order());
        Assert.All(results.Where(t => t.IsFaulted), t => Assert.IsType<ClusterThrottledException>(t.Exception!.InnerException));
        Assert.Equal(8, results.Count(t => t.IsFaulted));
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));

        // Released on pool threads, the slots are free again for the next operation.
        Assert.Equal(1, await cluster.ExecuteAsync(async (lease, ct) =>
        {
            await Task.Yield();
            return lease.MemberIndex + 1;
        }));
    }

    [Fact]
    public async Task ExecuteAsync_WithState_PassesItWithoutAClosure()
    {
        ClusterSelector cluster = Create(1);

        string result = await cluster.ExecuteAsync("payload", static (state, lease, _) => new ValueTask<string>($"{state}@{lease.MemberId}"));

        Assert.Equal("payload@gw-0", result);
    }

    [Fact]
    public async Task ExecuteAsync_SuccessOnAProbe_RestoresThePrimary()
    {
        ClusterSelector cluster = Create(2);
        cluster.ReportOffline("gw-0");
        _time.Advance(TimeSpan.FromSeconds(5));

        bool probed = await cluster.ExecuteAsync((lease, _) => new ValueTask<bool>(lease.IsProbe));

        Assert.True(probed);
        Assert.Equal(MemberHealth.Online, cluster.GetStatus().Members[0].Health);
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public async Task ExecuteAsync_NullOperation_ThrowsNamingIt()
    {
        ClusterSelector cluster = Create(1);

        var error = await Assert.ThrowsAsync<ArgumentNullException>(async () => await cluster.ExecuteAsync<int>(null!));
        var withState = await Assert.ThrowsAsync<ArgumentNullException>(async () => await cluster.ExecuteAsync<int, int>(1, null!));

        Assert.Equal("operation", error.ParamName);
        Assert.Equal("operation", withState.ParamName);
    }

    [Fact]
    public void Exceptions_StandardConstructorsAndArguments()
    {
        Assert.Equal("The member is offline.", new MemberOfflineException().Message);
        Assert.Equal(ThrottleLimitKind.Concurrency, new MemberRefusedException().Limit);
        Assert.Equal(GatewayMessages.Concurrency, new MemberRefusedException().Message);
        Assert.Equal("limit", Assert.Throws<ArgumentOutOfRangeException>(() => new MemberRefusedException(ThrottleLimitKind.Custom)).ParamName);
        Assert.Equal("retryAfter", Assert.Throws<ArgumentOutOfRangeException>(() => new MemberRefusedException(ThrottleLimitKind.Cpu, TimeSpan.Zero)).ParamName);
        Assert.StartsWith("A member refuses for its CPU, memory or concurrency limit.", Assert.Throws<ArgumentOutOfRangeException>(() => new MemberRefusedException(ThrottleLimitKind.Custom)).Message, StringComparison.Ordinal);
        Assert.StartsWith("The retry-after must be greater than zero.", Assert.Throws<ArgumentOutOfRangeException>(() => new MemberRefusedException(ThrottleLimitKind.Cpu, TimeSpan.Zero)).Message, StringComparison.Ordinal);
        Assert.Empty(new AllMembersFailedException().Attempts);
        Assert.Throws<ArgumentNullException>(() => new MemberAttempt(null!, AttemptOutcome.Offline, new InvalidOperationException()));
        Assert.Equal("gw-1: Refused (InvalidOperationException: x)", new MemberAttempt("gw-1", AttemptOutcome.Refused, new InvalidOperationException("x")).ToString());
    }

    private ClusterSelector Create(int members, SelectionMode mode = SelectionMode.Failover, Action<ClusterOptions>? configure = null)
    {
        ClusterOptions options = Clusters.Options(members, mode);
        options.OfflinePenaltyJitter = 0;
        configure?.Invoke(options);
        return new ClusterSelector("test", options, _time, RandomSource.FromSeed(5));
    }
}
