using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Health;

public class OfflinePenaltyTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _logger = new();

    [Fact]
    public void Options_Defaults()
    {
        var options = new ClusterOptions();

        Assert.True(options.TrackOfflineMembers);
        Assert.Equal(TimeSpan.FromSeconds(5), options.OfflinePenaltyBaseDuration);
        Assert.Equal(TimeSpan.FromSeconds(60), options.OfflinePenaltyMaxDuration);
        Assert.Equal(0.2, options.OfflinePenaltyJitter);
        Assert.Null(options.IsOfflineException);
    }

    [Fact]
    public void Constructor_InvalidPenaltySettings_ReportsEveryField()
    {
        ClusterOptions options = Clusters.Options(1);
        options.OfflinePenaltyBaseDuration = TimeSpan.Zero;
        options.OfflinePenaltyMaxDuration = TimeSpan.FromSeconds(-1);
        options.OfflinePenaltyJitter = double.NaN;

        var error = Assert.Throws<ArgumentException>(() => new ClusterSelector("c", options));

        Assert.Contains("Cluster 'c': OfflinePenaltyBaseDuration must be greater than zero (was 00:00:00).", error.Message, StringComparison.Ordinal);
        Assert.Contains("Cluster 'c': OfflinePenaltyMaxDuration must be at least OfflinePenaltyBaseDuration (was -00:00:01, base 00:00:00).", error.Message, StringComparison.Ordinal);
        Assert.Contains("Cluster 'c': OfflinePenaltyJitter: The field c.OfflinePenaltyJitter must be between 0 and 1.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(1.01)]
    public void Constructor_JitterOutOfRange_IsRejected(double jitter)
    {
        ClusterOptions options = Clusters.Options(1);
        options.OfflinePenaltyJitter = jitter;

        Assert.Throws<ArgumentException>(() => new ClusterSelector("c", options));
    }

    [Fact]
    public void ReportOffline_Primary_IsTriedAfterTheOthers()
    {
        ClusterSelector cluster = Create(3);

        Assert.True(cluster.ReportOffline("gw-0"));

        Assert.Equal("gw-1", cluster.SelectOnce());
        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Equal(MemberHealth.Penalized, primary.Health);
        Assert.Equal(1, primary.ConsecutiveOfflineResults);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(5), primary.PenalizedUntil);
    }

    [Theory]
    [InlineData(SelectionMode.Failover)]
    [InlineData(SelectionMode.Random)]
    [InlineData(SelectionMode.RoundRobin)]
    public void EveryMemberPenalized_TheyAreStillTriedInOrder(SelectionMode mode)
    {
        ClusterSelector cluster = Create(3, mode);
        cluster.ReportOffline("gw-0");
        cluster.ReportOffline("gw-1");
        cluster.ReportOffline("gw-2");

        Assert.Equal("gw-0", cluster.SelectOnce());
        cluster.SetMemberEnabled("gw-0", false);
        Assert.Equal("gw-1", cluster.SelectOnce());
    }

    [Theory]
    [InlineData(SelectionMode.Random)]
    [InlineData(SelectionMode.RoundRobin)]
    public void PenalizedMember_IsNotSelectedWhileOthersCanTakeTheOperation(SelectionMode mode)
    {
        ClusterSelector cluster = Create(3, mode);
        cluster.ReportOffline("gw-1");

        string?[] picks = Enumerable.Range(0, 200).Select(_ => cluster.SelectOnce()).ToArray();

        Assert.DoesNotContain("gw-1", picks);
        Assert.Contains("gw-0", picks);
        Assert.Contains("gw-2", picks);
    }

    [Fact]
    public void PenalizedMember_UsedWhenTheOthersAreAtTheirConcurrencyLimit()
    {
        ClusterSelector cluster = Create(2, configure: o => o.ConcurrentOperationLimitPreview = 1);
        cluster.ReportOffline("gw-0");

        using MemberLease first = cluster.Select();
        using MemberLease second = cluster.Select();

        Assert.Equal("gw-1", first.MemberId);
        Assert.Equal("gw-0", second.MemberId);
    }

    [Fact]
    public void PenalizedMember_DisabledOrThrottled_IsNeverTried()
    {
        ClusterSelector cluster = Create(2, configure: o => o.CPUUtilizationPercentageThreshold = 50);
        cluster.ReportOffline("gw-0");
        cluster.ReportOffline("gw-1");
        cluster.SetMemberEnabled("gw-0", false);
        cluster.ReportUtilization("gw-1", 90, 0);

        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));
        Assert.Equal(MemberRejectionReason.Disabled, failure.GetRejection(0).Reason);
        Assert.Equal(MemberRejectionReason.CpuLimit, failure.GetRejection(1).Reason);
    }

    [Fact]
    public void Penalty_DoublesPerConsecutiveOfflineResult_UpToTheCap()
    {
        ClusterSelector cluster = Create(2);
        var penalties = new List<TimeSpan>();

        for (int i = 0; i < 7; i++)
        {
            cluster.ReportOffline("gw-0");
            DateTimeOffset until = cluster.GetStatus().Members[0].PenalizedUntil!.Value;
            penalties.Add(until - _time.GetUtcNow());
        }

        Assert.Equal(new[] { 5, 10, 20, 40, 60, 60, 60 }, penalties.Select(p => (int)p.TotalSeconds));
        Assert.Equal(7, cluster.GetStatus().Members[0].ConsecutiveOfflineResults);
    }

    [Fact]
    public void Penalty_JitterStaysWithinItsFraction()
    {
        ClusterOptions options = Clusters.Options(2);
        options.OfflinePenaltyJitter = 0.2;
        var cluster = new ClusterSelector("jitter", options, _time, RandomSource.FromSeed(11));
        var seen = new HashSet<long>();

        for (int i = 0; i < 200; i++)
        {
            cluster.ReportOffline("gw-0");
            TimeSpan penalty = cluster.GetStatus().Members[0].PenalizedUntil!.Value - _time.GetUtcNow();
            Assert.InRange(penalty, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));
            seen.Add(penalty.Ticks);
            cluster.ReportSuccess("gw-0");
        }

        Assert.True(seen.Count > 100, "jitter should spread the penalties");
    }

    [Fact]
    public void PenaltyEnds_OneProbeAtATime_SuccessRestoresAtOnce()
    {
        ClusterSelector cluster = Create(3);
        cluster.ReportOffline("gw-0");
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(MemberHealth.Probing, cluster.GetStatus().Members[0].Health);

        MemberLease probe = cluster.Select();
        using MemberLease whileProbing = cluster.Select();

        Assert.Equal("gw-0", probe.MemberId);
        Assert.True(probe.IsProbe);
        Assert.Equal("gw-1", whileProbing.MemberId);
        Assert.False(whileProbing.IsProbe);

        Assert.True(cluster.ReportSuccess("gw-0"));
        probe.Dispose();

        Assert.Equal(MemberHealth.Online, cluster.GetStatus().Members[0].Health);
        Assert.Equal(0, cluster.GetStatus().Members[0].ConsecutiveOfflineResults);
        Assert.Equal("gw-0", cluster.SelectOnce());
        Assert.Equal("gw-0", cluster.SelectOnce());
        Assert.Equal(new[] { "PenaltyStarted", "ProbeOpened", "PenaltyEnded" }, _logger.Collector.GetSnapshot().Select(e => e.Id.Name).Where(n => n is "PenaltyStarted" or "ProbeOpened" or "PenaltyEnded"));
    }

    [Fact]
    public void Probe_EndedWithoutAnOutcome_LetsTheNextOperationProbe()
    {
        ClusterSelector cluster = Create(2);
        cluster.ReportOffline("gw-0");
        _time.Advance(TimeSpan.FromSeconds(5));

        MemberLease probe = cluster.Select();
        Assert.True(probe.IsProbe);
        Assert.Equal("gw-1", cluster.SelectOnce());
        probe.Dispose();
        probe.Dispose();

        using MemberLease again = cluster.Select();
        Assert.Equal("gw-0", again.MemberId);
        Assert.True(again.IsProbe);
        Assert.Equal(0 + 1, cluster.GetStatus().Members[0].InFlight);
    }

    [Fact]
    public void Probe_Offline_PenalizesAgainForLonger()
    {
        ClusterSelector cluster = Create(2);
        cluster.ReportOffline("gw-0");
        _time.Advance(TimeSpan.FromSeconds(5));
        using MemberLease probe = cluster.Select();

        cluster.ReportOffline("gw-0");

        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Equal(MemberHealth.Penalized, primary.Health);
        Assert.Equal(2, primary.ConsecutiveOfflineResults);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(10), primary.PenalizedUntil);
        Assert.Equal("gw-1", cluster.SelectOnce());
    }

    [Fact]
    public void TrackOfflineMembersOff_CountsButNeverPenalizes()
    {
        ClusterSelector cluster = Create(2, configure: o => o.TrackOfflineMembers = false);

        cluster.ReportOffline("gw-0");
        cluster.ReportOffline("gw-0");

        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Equal(MemberHealth.Online, primary.Health);
        Assert.Equal(2, primary.ConsecutiveOfflineResults);
        Assert.Equal("gw-0", cluster.SelectOnce());
        Assert.Null(cluster.State.TimerDue);
    }

    [Fact]
    public void ReportSuccess_OnlineMember_ChangesNothing()
    {
        ClusterSelector cluster = Create(2);
        ClusterSnapshot before = cluster.Snapshot;

        Assert.True(cluster.ReportSuccess("gw-0"));

        Assert.Same(before, cluster.Snapshot);
        Assert.Empty(_logger.WithEvent("PenaltyEnded"));
    }

    [Fact]
    public void ReportSuccess_PenalizedMember_RestoresBeforeThePenaltyEnds()
    {
        ClusterSelector cluster = Create(2);
        cluster.ReportOffline("gw-0");

        cluster.ReportSuccess("gw-0");

        Assert.Equal(MemberHealth.Online, cluster.GetStatus().Members[0].Health);
        Assert.Null(cluster.GetStatus().Members[0].PenalizedUntil);
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void Reports_UnknownOrInvalidId_ReturnFalseOrThrowNamingIt()
    {
        ClusterSelector cluster = Create(1);

        Assert.False(cluster.ReportOffline("nope"));
        Assert.False(cluster.ReportSuccess("nope"));
        Assert.Equal("memberId", Assert.ThrowsAny<ArgumentException>(() => cluster.ReportOffline(" ")).ParamName);
        Assert.Equal("memberId", Assert.ThrowsAny<ArgumentException>(() => cluster.ReportSuccess((string)null!)).ParamName);
        Assert.Equal(MemberHealth.Online, cluster.GetStatus().Members[0].Health);
    }

    [Fact]
    public void Reconfigure_KeepsThePenaltyOfMembersThatStay()
    {
        ClusterOptions options = Clusters.Options(3);
        options.OfflinePenaltyJitter = 0;
        var cluster = new ClusterSelector("test", options, _time);
        cluster.ReportOffline("gw-1");

        options.Members.RemoveAt(0);
        cluster.Reconfigure(options);

        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[0].Health);
        Assert.Equal("gw-2", cluster.SelectOnce());
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(MemberHealth.Probing, cluster.GetStatus().Members[0].Health);
    }

    private ClusterSelector Create(int members, SelectionMode mode = SelectionMode.Failover, Action<ClusterOptions>? configure = null)
    {
        ClusterOptions options = Clusters.Options(members, mode);
        options.OfflinePenaltyJitter = 0;
        configure?.Invoke(options);
        return new ClusterSelector("test", options, _time, RandomSource.FromSeed(3), _logger);
    }
}
