using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Selection;

/// <summary>
/// A failure in a cluster far over the 10-member limit (which keeps operating): a failure keeps what its selection
/// decided for the first 20 members, and reads a later member's probe when asked. These cover the 21st member, gw-20,
/// whose probe is out, next to the members before it.
/// </summary>
public sealed class FailureInAClusterOverTwentyMembersTests : IDisposable
{
    private const int Members = 21;
    private const string Last = "gw-20";

    private readonly FakeTimeProvider _time = new();
    private readonly ClusterSelector _cluster;
    private readonly List<MemberLease> _leases = new();

    public FailureInAClusterOverTwentyMembersTests()
    {
        ClusterOptions options = Clusters.Options(Members);
        options.ConcurrentOperationLimitPreview = 1;
        options.OfflinePenaltyJitter = 0;
        _cluster = new ClusterSelector("large", options, _time);
        _cluster.ReportOffline(Last);
        _time.Advance(options.OfflinePenaltyBaseDuration);
    }

    public void Dispose()
    {
        _leases.ForEach(l => l.Dispose());
        _cluster.Dispose();
    }

    [Fact]
    public void LastMembersProbeOut_IsReportedAsProbing()
    {
        TakeEverySlotAndTheProbe();

        Assert.False(_cluster.TrySelect(out _, out SelectionFailure failure));

        Assert.Equal(new MemberRejection(Last, MemberRejectionReason.Probing), failure.GetRejection(20));
    }

    [Fact]
    public void LastMembersProbeOutWithItsOnlySlotTaken_CountsAsAtTheConcurrencyLimit()
    {
        // Every other member is at its concurrency limit, and gw-20's probe holds its one slot: the whole cluster is throttled.
        TakeEverySlotAndTheProbe();

        Assert.False(_cluster.TrySelect(out _, out SelectionFailure failure));

        Assert.True(failure.IsThrottled);
        var error = Assert.IsType<ClusterThrottledException>(failure.ToException());
        Assert.Equal(GatewayMessages.Concurrency, error.Message);
    }

    [Fact]
    public void LastMembersProbeOut_LeavesThePrimarysOwnReason()
    {
        TakeEverySlotAndTheProbe();

        Assert.False(_cluster.TrySelect(out _, out SelectionFailure failure));

        Assert.Equal(new MemberRejection("gw-0", MemberRejectionReason.ConcurrencyLimit), failure.GetRejection(0));
    }

    [Fact]
    public void LastMemberDisabledWithItsProbeOut_IsReportedAsDisabled()
    {
        // The admin disabled gw-20 while its probe was out: disabled is the reason, whatever its probe does.
        Assert.True(_cluster.TrySelect(Others(Last), out MemberLease probe, out _));
        _leases.Add(probe);
        Assert.True(probe.IsProbe);
        for (int i = 0; i < Members; i++)
        {
            _cluster.SetMemberEnabled($"gw-{i}", false);
        }

        Assert.False(_cluster.TrySelect(out _, out SelectionFailure failure));

        Assert.Equal(new MemberRejection(Last, MemberRejectionReason.Disabled), failure.GetRejection(20));
    }

    /// <summary>Takes the one slot of gw-0 to gw-19 and, last, gw-20's probe (which takes its one slot).</summary>
    private void TakeEverySlotAndTheProbe()
    {
        for (int i = 0; i < Members; i++)
        {
            Assert.True(_cluster.TrySelect(out MemberLease lease, out SelectionFailure failure), $"selection {i}: {failure}");
            _leases.Add(lease);
            Assert.Equal($"gw-{i}", lease.MemberId);
        }

        Assert.True(_leases[^1].IsProbe);
    }

    private static string[] Others(string memberId) =>
        Enumerable.Range(0, Members).Select(i => $"gw-{i}").Where(id => id != memberId).ToArray();
}
