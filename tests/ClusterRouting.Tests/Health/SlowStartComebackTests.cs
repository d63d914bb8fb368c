using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Health;

/// <summary>
/// Slow start (<see cref="ClusterOptions.SlowStartWindow"/>) for every way a member comes back, beyond the ones
/// <see cref="SlowStartTests"/> covers: a member that an active health probe (<see cref="IClusterSelector.ReportProbe"/>,
/// what <c>AddHealthProbing</c> calls) finds online again after it was penalized or while it was being probed ramps up
/// from the minimum as one whose probe operation succeeded does.
/// </summary>
public sealed class SlowStartComebackTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new();

    private static ClusterOptions Options(int members, SelectionMode mode = SelectionMode.RoundRobin, int limit = 40)
    {
        ClusterOptions options = Clusters.Options(members, mode);
        options.SlowStartWindow = Window;
        options.ConcurrentOperationLimitPreview = limit;
        options.OfflinePenaltyJitter = 0;
        return options;
    }

    [Fact]
    public void OnlineHealthProbe_RestoresAPenalizedMember_ThatThenRampsFromTheMinimum()
    {
        using var cluster = new ClusterSelector("s", Options(2), _time);
        cluster.ReportProbe("gw-1", MemberProbeResult.Offline);
        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[1].Health);
        _time.Advance(TimeSpan.FromSeconds(1));
        DateTimeOffset backAt = _time.GetUtcNow();

        Assert.True(cluster.ReportProbe("gw-1", MemberProbeResult.Online()));

        MemberStatus status = cluster.GetStatus().Members[1];
        Assert.Equal(MemberHealth.Online, status.Health);
        Assert.Equal(10, status.SlowStartPercentage);
        Assert.Equal(backAt + Window, status.SlowStartEndsAt);
        Assert.Equal(4, status.ConcurrencyLimit);
        Assert.Equal(4, cluster.Snapshot.Eligible.Single(c => c.Index == 1).ConcurrencyLimit);
    }

    [Fact]
    public void OnlineHealthProbe_RestoresAProbingMember_ThatThenRampsFromTheMinimum()
    {
        ClusterOptions options = Options(2);
        using var cluster = new ClusterSelector("s", options, _time);
        cluster.ReportOffline("gw-1");
        _time.Advance(options.OfflinePenaltyBaseDuration);
        Assert.Equal(MemberHealth.Probing, cluster.GetStatus().Members[1].Health);

        Assert.True(cluster.ReportProbe("gw-1", MemberProbeResult.Online(20, 30, "1.0")));

        MemberStatus status = cluster.GetStatus().Members[1];
        Assert.Equal(MemberHealth.Online, status.Health);
        Assert.Equal(10, status.SlowStartPercentage);
        Assert.Equal(4, status.ConcurrencyLimit);
    }

    [Fact]
    public void OnlineHealthProbe_OfAMemberThatWasOnline_StartsNoRamp()
    {
        using var cluster = new ClusterSelector("s", Options(2), _time);

        Assert.True(cluster.ReportProbe("gw-1", MemberProbeResult.Online(20, 30)));

        Assert.All(cluster.GetStatus().Members, m => Assert.Null(m.SlowStartPercentage));
        Assert.Equal(40, cluster.Snapshot.Eligible.Single(c => c.Index == 1).ConcurrencyLimit);
    }
}
