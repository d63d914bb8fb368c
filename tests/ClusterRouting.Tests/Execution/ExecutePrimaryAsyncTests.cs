using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Execution;

/// <summary>
/// Primary-only work run with outcome accounting: only ever on the primary, reporting offline, refusal and success as
/// <c>ExecuteAsync</c> does; and a penalized primary takes one such operation at a time, as its probe, while the
/// others fail at once saying the primary is offline and when to retry.
/// </summary>
public sealed class ExecutePrimaryAsyncTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ClusterSelector _cluster;

    public ExecutePrimaryAsyncTests()
    {
        ClusterOptions options = Clusters.Options(3);
        options.OfflinePenaltyJitter = 0;
        _cluster = new ClusterSelector("primary", options, _time);
    }

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public async Task ExecutePrimaryAsync_RunsOnThePrimary_AndEndsTheLease()
    {
        string ranOn = await _cluster.ExecutePrimaryAsync(static (lease, _) => new ValueTask<string>(lease.MemberId));

        Assert.Equal("gw-0", ranOn);
        Assert.All(_cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public async Task ExecutePrimaryAsync_PassesTheState()
    {
        int result = await _cluster.ExecutePrimaryAsync(20, static (state, lease, _) => new ValueTask<int>(state + (lease.IsPrimary ? 1 : 0)));

        Assert.Equal(21, result);
    }

    [Fact]
    public async Task ExecutePrimaryAsync_PrimaryOffline_PenalizesIt_AndNeverTriesAnotherMember()
    {
        var seen = new List<string>();

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(() => _cluster.ExecutePrimaryAsync<int>((lease, _) =>
        {
            seen.Add(lease.MemberId);
            throw new MemberOfflineException("unreachable");
        }).AsTask());

        Assert.Equal(["gw-0"], seen);
        MemberAttempt attempt = Assert.Single(error.Attempts);
        Assert.Equal(("gw-0", AttemptOutcome.Offline), (attempt.MemberId, attempt.Outcome));
        Assert.Equal(MemberHealth.Penalized, _cluster.GetStatus().Members[0].Health);
    }

    [Fact]
    public async Task ExecutePrimaryAsync_WithState_PrimaryOffline_NeverTriesAnotherMember()
    {
        var seen = new List<string>();

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(() => _cluster.ExecutePrimaryAsync<List<string>, int>(seen, static (tried, lease, _) =>
        {
            tried.Add(lease.MemberId);
            throw new MemberOfflineException("unreachable");
        }).AsTask());

        Assert.Equal(["gw-0"], seen);
        Assert.Equal("gw-0", Assert.Single(error.Attempts).MemberId);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CallerCancelsWhileTheAttemptEndsOffline_TheRunThrowsTheCancellation_PrimaryOnlyOrNot(bool primaryOnly)
    {
        using var caller = new CancellationTokenSource();
        var seen = new List<string>();
        Func<MemberLease, CancellationToken, ValueTask<int>> operation = (lease, _) =>
        {
            seen.Add(lease.MemberId);
            caller.Cancel();
            throw new MemberOfflineException("unreachable");
        };

        await Assert.ThrowsAsync<OperationCanceledException>(() => primaryOnly
            ? _cluster.ExecutePrimaryAsync(operation, caller.Token).AsTask()
            : _cluster.ExecuteAsync(operation, caller.Token).AsTask());

        // The attempt's outcome is still recorded, and no other attempt starts.
        Assert.Equal(["gw-0"], seen);
        Assert.Equal(MemberHealth.Penalized, _cluster.GetStatus().Members[0].Health);
        Assert.All(_cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public async Task ExecutePrimaryAsync_PrimaryRefuses_RecordsTheRefusal_AndThrows()
    {
        await Assert.ThrowsAsync<AllMembersFailedException>(() => _cluster.ExecutePrimaryAsync<int>(static (_, _) =>
            throw new MemberRefusedException(ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(30))).AsTask());

        var next = Assert.Throws<PrimaryUnavailableException>(() => _cluster.SelectPrimary());
        Assert.Equal(new MemberRejection("gw-0", MemberRejectionReason.CpuLimit, TimeSpan.FromSeconds(30)), next.Primary);
    }

    [Fact]
    public async Task ExecutePrimaryAsync_PenalizedPrimary_OneOperationProbes_TheOthersFailAtOnce_ThenItsSuccessRestoresIt()
    {
        _cluster.ReportOffline("gw-0"); // penalized for 5 s
        var probeRunning = new TaskCompletionSource();
        var primaryBack = new TaskCompletionSource<string>();

        Task<string> probe = _cluster.ExecutePrimaryAsync(async (lease, _) =>
        {
            Assert.True(lease.IsProbe);
            probeRunning.SetResult();
            return await primaryBack.Task;
        }).AsTask();
        await probeRunning.Task;

        int ran = 0;
        var refused = await Assert.ThrowsAsync<PrimaryUnavailableException>(() => _cluster.ExecutePrimaryAsync((_, _) => new ValueTask<int>(++ran)).AsTask());

        Assert.Equal(0, ran);
        Assert.Equal(new MemberRejection("gw-0", MemberRejectionReason.Offline, TimeSpan.FromSeconds(5)), refused.Primary);
        Assert.Equal(
            "The operation needs the primary member of cluster 'primary', and gw-0 is offline (it failed its last attempts, and the one operation it takes meanwhile is out); retry after 0:00:05.",
            refused.Message);
        Assert.Equal("gw-1", _cluster.SelectOnce()); // ordinary work goes elsewhere meanwhile

        primaryBack.SetResult("done");
        Assert.Equal("done", await probe);

        MemberStatus primary = _cluster.GetStatus().Members[0];
        Assert.Equal(MemberHealth.Online, primary.Health);
        Assert.Equal(0, primary.ConsecutiveOfflineResults);
        Assert.Equal("gw-0", _cluster.SelectOnce());
    }

    [Fact]
    public async Task ExecutePrimaryAsync_PenalizedPrimaryProbeFindsItStillOffline_PenalizesLonger_AndTheNextOperationProbesAgain()
    {
        _cluster.ReportOffline("gw-0");

        await Assert.ThrowsAsync<AllMembersFailedException>(() => _cluster.ExecutePrimaryAsync<int>(static (_, _) => throw new MemberOfflineException()).AsTask());

        MemberStatus primary = _cluster.GetStatus().Members[0];
        Assert.Equal(MemberHealth.Penalized, primary.Health);
        Assert.Equal(2, primary.ConsecutiveOfflineResults);
        Assert.Equal("gw-0", await _cluster.ExecutePrimaryAsync(static (lease, _) => new ValueTask<string>(lease.MemberId)));
        Assert.Equal(MemberHealth.Online, _cluster.GetStatus().Members[0].Health);
    }

    [Fact]
    public async Task ExecutePrimaryAsync_OperationsOwnException_PropagatesUnchanged_AndDoesNotPenalize()
    {
        var bug = new InvalidOperationException("bug");

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => _cluster.ExecutePrimaryAsync<int>((_, _) => throw bug).AsTask());

        Assert.Same(bug, thrown);
        Assert.Equal(MemberHealth.Online, _cluster.GetStatus().Members[0].Health);
        Assert.Equal(0, _cluster.GetStatus().Members[0].InFlight);
    }

    [Fact]
    public async Task ExecutePrimaryAsync_Canceled_DoesNotRun()
    {
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        int ran = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _cluster.ExecutePrimaryAsync((_, _) => new ValueTask<int>(++ran), canceled.Token).AsTask());

        Assert.Equal(0, ran);
    }

    [Fact]
    public async Task ExecutePrimaryAsync_NullOperation_ThrowsNamingIt()
    {
        var error = await Assert.ThrowsAsync<ArgumentNullException>(async () => await _cluster.ExecutePrimaryAsync<int>(null!));
        var withState = await Assert.ThrowsAsync<ArgumentNullException>(async () => await _cluster.ExecutePrimaryAsync<int, int>(1, null!));

        Assert.Equal("operation", error.ParamName);
        Assert.Equal("operation", withState.ParamName);
    }
}
