using System.Globalization;
using ClusterRouting.Tests.Hosting;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Health;

public class SlowStartTests
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new();

    private static ClusterOptions Options(int members, SelectionMode mode, int limit = 40)
    {
        ClusterOptions options = Clusters.Options(members, mode);
        options.SlowStartWindow = Window;
        options.ConcurrentOperationLimitPreview = limit;
        options.OfflinePenaltyJitter = 0;
        return options;
    }

    [Fact]
    public void Options_Defaults_SlowStartIsOffWithEnvoysMinimum()
    {
        var options = new ClusterOptions();

        Assert.Equal(TimeSpan.Zero, options.SlowStartWindow);
        Assert.Equal(10, options.SlowStartMinimumPercentage);
    }

    [Fact]
    public void InitialMembers_DoNotRamp()
    {
        using var cluster = new ClusterSelector("s", Options(2, SelectionMode.RoundRobin), _time);

        Assert.All(cluster.GetStatus().Members, m =>
        {
            Assert.Null(m.SlowStartPercentage);
            Assert.Equal(40, m.ConcurrencyLimit);
        });
        Assert.Null(cluster.State.TimerDue);
    }

    [Fact]
    public void EnabledAgain_CapRisesFromTheMinimumToTheLimitOverTheWindow_OnTheTimer()
    {
        using var cluster = new ClusterSelector("s", Options(2, SelectionMode.RoundRobin), _time);
        cluster.SetMemberEnabled("gw-1", false);
        DateTimeOffset enabledAt = _time.GetUtcNow();

        cluster.SetMemberEnabled("gw-1", true);

        MemberStatus status = cluster.GetStatus().Members[1];
        Assert.Equal(4, status.ConcurrencyLimit);
        Assert.Equal(10, status.SlowStartPercentage);
        Assert.Equal(enabledAt + Window, status.SlowStartEndsAt);
        Assert.Contains("slow start 10%", status.ToString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(3), cluster.State.TimerDue); // the first step above 10 %: 15 % at 3 s

        (double Seconds, int Cap)[] expected = [(3, 6), (4, 8), (10, 20), (15, 30), (19, 38)];
        TimeSpan elapsed = TimeSpan.Zero;
        foreach ((double seconds, int cap) in expected)
        {
            _time.Advance(TimeSpan.FromSeconds(seconds) - elapsed);
            elapsed = TimeSpan.FromSeconds(seconds);

            // The snapshot selections read was republished by the timer, before anyone asked for status.
            Assert.Equal(cap, cluster.Snapshot.Eligible.Single(c => c.Index == 1).ConcurrencyLimit);
            Assert.Equal(cap, cluster.GetStatus().Members[1].ConcurrencyLimit);
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        status = cluster.GetStatus().Members[1];
        Assert.Equal(40, status.ConcurrencyLimit);
        Assert.Null(status.SlowStartPercentage);
        Assert.Null(status.SlowStartEndsAt);
        Assert.Null(cluster.State.TimerDue);
    }

    [Fact]
    public void RampingMember_AtItsRampedCap_TakesNoMore()
    {
        using var cluster = new ClusterSelector("s", Options(2, SelectionMode.Failover), _time);
        cluster.SetMemberEnabled("gw-0", false);
        cluster.SetMemberEnabled("gw-0", true); // the primary ramps: 4 of 40
        var held = Enumerable.Range(0, 6).Select(_ => cluster.Select()).ToList();

        Assert.Equal(["gw-0", "gw-0", "gw-0", "gw-0", "gw-1", "gw-1"], held.Select(l => l.MemberId));
        Assert.False(cluster.TrySelect(["gw-1"], out _, out SelectionFailure failure));
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, failure.GetRejection(0).Reason);
        Assert.Equal(MemberRejectionReason.ConcurrencyLimit, cluster.GetStatus().Members[0].Throttle);
        held.ForEach(l => l.Dispose());
    }

    [Theory]
    [InlineData(SelectionMode.RoundRobin)]
    [InlineData(SelectionMode.Random)]
    public void AddedMember_ShareFollowsTheRamp(SelectionMode mode)
    {
        // gw-0 and gw-1 whole, gw-2 added: at a share s of its weight, gw-2 takes s / (2 + s) of the selections.
        using var cluster = new ClusterSelector("s", Options(2, mode), _time, RandomSource.FromSeed(20));
        cluster.AddMember("gw-2");

        TimeSpan elapsed = TimeSpan.Zero;
        foreach ((double seconds, double share) in new[] { (0.0, 0.10), (3.0, 0.15), (6.0, 0.30), (10.0, 0.50), (15.0, 0.75), (20.0, 1.0) })
        {
            _time.Advance(TimeSpan.FromSeconds(seconds) - elapsed);
            elapsed = TimeSpan.FromSeconds(seconds);
            double expected = share / (2 + share);
            int picks = mode == SelectionMode.RoundRobin ? TurnsInOnePeriod(share) : 40_000;
            int taken = Enumerable.Range(0, picks).Count(_ => cluster.SelectOnce() == "gw-2");

            if (mode == SelectionMode.RoundRobin)
            {
                Assert.Equal(expected * picks, taken, precision: 6); // exact over a period of the weighted order
            }
            else
            {
                // Binomial: within 4.5 standard deviations at this pinned seed.
                double sd = Math.Sqrt(picks * expected * (1 - expected));
                Assert.InRange(taken, (expected * picks) - (4.5 * sd), (expected * picks) + (4.5 * sd));
            }
        }

        static int TurnsInOnePeriod(double share)
        {
            // Shares 1000, 1000 and 1000 x share in thousandths, over their greatest common divisor.
            int ramp = (int)Math.Round(share * 1000);
            int divisor = Gcd(1000, ramp);
            return (2000 + ramp) / divisor;
        }
    }

    [Fact]
    public void MemberFailingDuringItsRamp_IsPenalizedAsUsual_AndRampsAgainFromTheStartWhenItComesBack()
    {
        ClusterOptions options = Options(2, SelectionMode.RoundRobin);
        using var cluster = new ClusterSelector("s", options, _time);
        cluster.AddMember("gw-2");
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(50, cluster.GetStatus().Members[2].SlowStartPercentage);

        cluster.ReportOffline("gw-2");

        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[2].Health);
        Assert.DoesNotContain("gw-2", Enumerable.Range(0, 20).Select(_ => cluster.SelectOnce()));

        _time.Advance(options.OfflinePenaltyBaseDuration);          // the penalty ends: gw-2 is probed
        Assert.Equal(MemberHealth.Probing, cluster.GetStatus().Members[2].Health);
        Assert.True(cluster.TrySelect(["gw-0", "gw-1"], out MemberLease probe, out _));
        Assert.True(probe.IsProbe);
        DateTimeOffset backAt = _time.GetUtcNow();
        cluster.ReportSuccess("gw-2");
        probe.Dispose();

        MemberStatus status = cluster.GetStatus().Members[2];
        Assert.Equal(MemberHealth.Online, status.Health);
        Assert.Equal(10, status.SlowStartPercentage);          // a new ramp, from the minimum
        Assert.Equal(backAt + Window, status.SlowStartEndsAt);
        Assert.Equal(4, status.ConcurrencyLimit);
    }

    [Fact]
    public async Task ExecuteAsync_ProbeSucceeds_StartsARamp()
    {
        ClusterOptions options = Options(1, SelectionMode.Failover);
        using var cluster = new ClusterSelector("s", options, _time);
        cluster.ReportOffline("gw-0");
        _time.Advance(options.OfflinePenaltyBaseDuration);

        int result = await cluster.ExecuteAsync((lease, _) => new ValueTask<int>(lease.IsProbe ? 1 : 0));

        Assert.Equal(1, result);
        Assert.Equal(10, cluster.GetStatus().Members[0].SlowStartPercentage);
    }

    [Fact]
    public void Off_AMemberThatComesBackTakesItsWholeShareAtOnce()
    {
        ClusterOptions options = Options(2, SelectionMode.RoundRobin);
        options.SlowStartWindow = TimeSpan.Zero;
        using var cluster = new ClusterSelector("s", options, _time);
        cluster.SetMemberEnabled("gw-1", false);
        cluster.SetMemberEnabled("gw-1", true);
        cluster.AddMember("gw-2");

        Assert.All(cluster.GetStatus().Members, m =>
        {
            Assert.Null(m.SlowStartPercentage);
            Assert.Equal(40, m.ConcurrencyLimit);
        });
        Assert.Null(cluster.Snapshot.WeightedOrder);
    }

    [Fact]
    public void Reconfigure_TurningSlowStartOff_EndsEveryRampAtOnce()
    {
        ClusterOptions options = Options(2, SelectionMode.RoundRobin);
        using var cluster = new ClusterSelector("s", options, _time);
        cluster.AddMember("gw-2");
        Assert.NotNull(cluster.Snapshot.WeightedOrder);

        ClusterOptions off = Options(3, SelectionMode.RoundRobin);
        off.SlowStartWindow = TimeSpan.Zero;
        cluster.Reconfigure(off);

        Assert.Null(cluster.GetStatus().Members[2].SlowStartPercentage);
        Assert.Null(cluster.Snapshot.WeightedOrder);
        Assert.Null(cluster.State.TimerDue);
    }

    [Fact]
    public void Reconfigure_AddingOrEnablingMembers_RampsThem_AndAReconfigureThatChangesNothingDoesNot()
    {
        ClusterOptions options = Options(3, SelectionMode.RoundRobin);
        options.Members[2].Enabled = false;
        using var cluster = new ClusterSelector("s", options, _time);

        ClusterOptions next = Options(4, SelectionMode.RoundRobin);
        cluster.Reconfigure(next);                               // gw-2 enabled, gw-3 added

        Assert.Equal([null, null, 10.0, 10.0], cluster.GetStatus().Members.Select(m => m.SlowStartPercentage));
        _time.Advance(Window);
        cluster.Reconfigure(next);
        Assert.All(cluster.GetStatus().Members, m => Assert.Null(m.SlowStartPercentage));
    }

    [Fact]
    public void LeastLoaded_RampingMemberCountsAgainstItsRampedCap()
    {
        // gw-1 ramps at 10 %: cap 4 of 40. With 1 in flight it is at 1/4, more loaded than gw-0 at 3/40.
        using var cluster = new ClusterSelector("s", Options(2, SelectionMode.LeastLoaded), _time, RandomSource.FromSeed(1));
        cluster.SetMemberEnabled("gw-1", false);
        cluster.SetMemberEnabled("gw-1", true);
        var held = new List<MemberLease>();
        for (int i = 0; i < 44; i++)
        {
            held.Add(cluster.Select());
        }

        // At the balance 40 x gw-1 / 4 = gw-0, i.e. gw-0 holds 10 times what gw-1 does: 40 and 4.
        Assert.Equal([40, 4], cluster.GetStatus().Members.Select(m => m.InFlight));
        held.ForEach(l => l.Dispose());
    }

    [Fact]
    public void SelectionsDuringARamp_ReadNoClock()
    {
        var time = new CountingTimeProvider();
        using var cluster = new ClusterSelector("s", Options(3, SelectionMode.RoundRobin), time);
        cluster.SetMemberEnabled("gw-2", false);
        cluster.SetMemberEnabled("gw-2", true);
        time.Advance(TimeSpan.FromSeconds(7)); // the timer moves the ramp on (and reads the clock) here
        long before = time.Reads;

        for (int i = 0; i < 1_000; i++)
        {
            using MemberLease lease = cluster.Select();
        }

        Assert.Equal(before, time.Reads);
        Assert.Equal(35, cluster.GetStatus().Members[2].SlowStartPercentage);
    }

    [Fact]
    public void Configuration_SlowStartKeys_AreBound_AndAnInvalidValueIsRejectedNamingTheField()
    {
        using RoutingServices services = RoutingServices.Create(Settings.Cluster(
            "ramp",
            ("Mode", "RoundRobin"),
            ("SlowStartWindow", "00:00:30"),
            ("SlowStartMinimumPercentage", "25"),
            ("Members:0:Id", "gw-0"),
            ("Members:1:Id", "gw-1")));
        ClusterSelector cluster = services.Cluster("ramp");
        cluster.AddMember("gw-2");
        Assert.Equal(25, cluster.GetStatus().Members[2].SlowStartPercentage);

        services.Set("ramp", "SlowStartMinimumPercentage", "0");
        services.Set("ramp", "SlowStartWindow", "-00:00:01");
        services.Configuration.Reload();

        string rejected = Assert.Single(services.Log.WithEvent("ConfigurationRejected")).Message;
        Assert.Contains("SlowStartMinimumPercentage", rejected, StringComparison.Ordinal);
        Assert.Contains("SlowStartWindow must not be negative", rejected, StringComparison.Ordinal);
        Assert.Equal(25, cluster.GetStatus().Members[2].SlowStartPercentage);
    }

    // A member that an active health probe (ReportProbe, what AddHealthProbing calls) finds online again after it was
    // penalized or while it was being probed ramps up from the minimum, as one whose probe operation succeeded does.
    // Regression: only the operation's success began a ramp, so with health probing on a restarted member never ramped.
    [Fact]
    public void OnlineHealthProbe_RestoresAPenalizedMember_ThatThenRampsFromTheMinimum()
    {
        using var cluster = new ClusterSelector("s", Options(2, SelectionMode.RoundRobin), _time);
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
        ClusterOptions options = Options(2, SelectionMode.RoundRobin);
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
        using var cluster = new ClusterSelector("s", Options(2, SelectionMode.RoundRobin), _time);

        Assert.True(cluster.ReportProbe("gw-1", MemberProbeResult.Online(20, 30)));

        Assert.All(cluster.GetStatus().Members, m => Assert.Null(m.SlowStartPercentage));
        Assert.Equal(40, cluster.Snapshot.Eligible.Single(c => c.Index == 1).ConcurrencyLimit);
    }

    private static int Gcd(int left, int right) => right == 0 ? left : Gcd(right, left % right);
}
