using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Selection;

/// <summary>
/// A failure reports the reason that held when it was decided, however late it is read. Regression: with a member's
/// probe out, a failed selection read later reported the concurrency limit, with the documented "exceeded the
/// concurrency limit" sentence, while 2 of 40 slots were in use: the reason was re-read from live state.
/// </summary>
public class FailureDecidedReasonTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void ProbeOut_ProbeEndsBeforeTheFailureIsRead_StillProbing()
    {
        using ClusterSelector cluster = new("decided", new ClusterOptions { Members = { new("gw-0") }, OfflinePenaltyJitter = 0 }, _time);
        cluster.ReportOffline("gw-0");
        _time.Advance(TimeSpan.FromSeconds(5));
        MemberLease probe = cluster.Select();
        Assert.True(probe.IsProbe);

        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));
        probe.Dispose(); // the probe is free again: the live state no longer says "probing"

        Assert.Equal(MemberRejectionReason.Probing, failure.GetRejection(0).Reason);
        Assert.False(failure.IsThrottled);
        NoMemberAvailableException ex = failure.ToException();
        Assert.IsNotType<ClusterThrottledException>(ex);
        Assert.DoesNotContain("concurrency limit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProbeOutWithEverySlotTaken_SlotsFreedBeforeTheFailureIsRead_StillThrottledForConcurrency()
    {
        using ClusterSelector cluster = new("decided", new ClusterOptions { Members = { new("gw-0") }, ConcurrentOperationLimitPreview = 2, OfflinePenaltyJitter = 0 }, _time);
        cluster.ReportOffline("gw-0");
        MemberLease penalized = cluster.Select(); // 1 of 2, taken while penalized
        _time.Advance(TimeSpan.FromSeconds(5));
        MemberLease probe = cluster.Select(); // 2 of 2, the probe
        Assert.True(probe.IsProbe);

        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));
        penalized.Dispose();
        probe.Dispose();

        Assert.Equal(MemberRejectionReason.Probing, failure.GetRejection(0).Reason);
        Assert.True(failure.IsThrottled);
        var ex = Assert.IsType<ClusterThrottledException>(failure.ToException());
        Assert.Equal(GatewayMessages.Concurrency, ex.Message);
    }

    [Fact]
    public void ProbeFreeWithEverySlotTakenBeforeThePenalty_ReportsTheConcurrencyLimit_NotProbing()
    {
        // gw-0's one slot is held by a lease taken while it was online; its penalty ended, so it is probing with its probe
        // free. The selection takes the probe, finds no slot and gives the probe back: what refused gw-0 is its full
        // slots, not a probe that was out.
        using ClusterSelector cluster = new("decided", new ClusterOptions { Members = { new("gw-0") }, ConcurrentOperationLimitPreview = 1, OfflinePenaltyJitter = 0 }, _time);
        using MemberLease held = cluster.Select();
        cluster.ReportOffline("gw-0");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(MemberHealth.Probing, cluster.GetStatus().Members[0].Health);

        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));

        Assert.Equal(new MemberRejection("gw-0", MemberRejectionReason.ConcurrencyLimit), failure.GetRejection(0));
        Assert.True(failure.IsThrottled);
        var ex = Assert.IsType<ClusterThrottledException>(failure.ToException());
        Assert.Equal(GatewayMessages.Concurrency, ex.Message);
    }
}
