using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Throttling;

/// <summary>
/// A member that refuses for its concurrency limit is full, and other routers share it: this cluster keeps on it at most
/// what it had there less the refused operation until the cool-down ends (leaving it only when that is nothing), so
/// routers that share a full member split it instead of all leaving it for the same next member.
/// </summary>
public sealed class ConcurrencyRefusalCapTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ClusterSelector _cluster;

    public ConcurrencyRefusalCapTests()
    {
        ClusterOptions options = Clusters.Options(2);
        options.ConcurrentOperationLimitPreview = 10;
        _cluster = new ClusterSelector("capped", options, _time);
    }

    public void Dispose() => _cluster.Dispose();

    [Fact]
    public void ConcurrencyRefusal_WithOperationsInFlight_CapsTheMemberAtThemLessTheRefusedOne()
    {
        var held = Enumerable.Range(0, 4).Select(_ => _cluster.Select()).ToList(); // gw-0: 4 in flight, the 4th is refused

        _cluster.ReportRefusal("gw-0", ThrottleLimitKind.Concurrency, TimeSpan.FromSeconds(1));
        held[3].Dispose();

        MemberStatus primary = _cluster.GetStatus().Members[0];
        Assert.Equal((3, 3), (primary.InFlight, primary.ConcurrencyLimit));
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, primary.Throttle);
        Assert.Equal("gw-1", _cluster.SelectOnce()); // full at its cap: the next goes on

        held[0].Dispose();
        Assert.Equal("gw-0", _cluster.SelectOnce()); // one of its own ended: it takes one again

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(10, _cluster.GetStatus().Members[0].ConcurrencyLimit); // the refusal ended: the configured limit
        foreach (MemberLease lease in held.Skip(1).Take(2))
        {
            lease.Dispose();
        }
    }

    [Fact]
    public void ConcurrencyRefusal_WithNothingElseInFlight_KeepsTheMemberOut_UntilTheCoolDownEnds()
    {
        _cluster.ReportRefusal("gw-0", ThrottleLimitKind.Concurrency, TimeSpan.FromSeconds(1));

        MemberStatus primary = _cluster.GetStatus().Members[0];
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, primary.Throttle);
        Assert.Equal(TimeSpan.FromSeconds(1), primary.ThrottleRetryAfter);
        Assert.Equal("gw-1", _cluster.SelectOnce());

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("gw-0", _cluster.SelectOnce());
    }

    [Fact]
    public void CpuRefusal_KeepsTheMemberOut_WhateverIsInFlight()
    {
        using MemberLease held = _cluster.Select();

        _cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(1));

        Assert.Equal(MemberRejectionReason.CpuLimit, _cluster.GetStatus().Members[0].Throttle);
        Assert.Equal(10, _cluster.GetStatus().Members[0].ConcurrencyLimit);
        Assert.Equal("gw-1", _cluster.SelectOnce());
    }

    [Fact]
    public void TwoRoutersSharingAFullMember_EachKeepsItsShare_InsteadOfBothLeavingIt()
    {
        // Two clusters (two routers) in front of one member with room for 6: each sent it 4, the member ran 6 and
        // refused one of each router's 4th. Each router keeps 3 there and sends its excess elsewhere.
        ClusterOptions options = Clusters.Options(2);
        using var other = new ClusterSelector("other", options, _time);
        var mine = Enumerable.Range(0, 4).Select(_ => _cluster.Select()).ToList();
        var theirs = Enumerable.Range(0, 4).Select(_ => other.Select()).ToList();

        _cluster.ReportRefusal("gw-0", ThrottleLimitKind.Concurrency, TimeSpan.FromSeconds(1));
        other.ReportRefusal("gw-0", ThrottleLimitKind.Concurrency, TimeSpan.FromSeconds(1));
        mine[3].Dispose();
        theirs[3].Dispose();
        mine[0].Dispose();
        theirs[0].Dispose();

        Assert.Equal("gw-0", _cluster.SelectOnce());
        Assert.Equal("gw-0", other.SelectOnce());
        Assert.Equal(3, _cluster.GetStatus().Members[0].ConcurrencyLimit);
        Assert.Equal(3, other.GetStatus().Members[0].ConcurrencyLimit);
        foreach (MemberLease lease in mine.Skip(1).Take(2).Concat(theirs.Skip(1).Take(2)))
        {
            lease.Dispose();
        }
    }
}
