using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Logging.Testing;
using FakeTimeProvider = Microsoft.Extensions.Time.Testing.FakeTimeProvider;

namespace ClusterRouting.Tests.Membership;

/// <summary>
/// <see cref="MembershipEditor"/> on its own, inside a change of a real cluster: ids compared ignoring case and kept as
/// first spelled, the capacity, what a reconfiguration keeps and resets, and the warnings queued only on a transition.
/// </summary>
public class MembershipEditorTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _logger = new();

    [Fact]
    public void Add_NewId_AppendsTheMemberAtTheEnd_AndQueuesMemberAdded()
    {
        using ClusterSelector cluster = Create(2);

        using (ClusterChange change = cluster.State.Begin())
        {
            MembershipEditor.Add(change, new ClusterMemberOptions("gw-new", "1.0", enabled: false), "id");
            Assert.Equal([new MemberAddedEvent("gw-new", 2)], change.Events);
        }

        SnapshotMember added = cluster.Snapshot.Members[2];
        Assert.Equal("gw-new", added.Id);
        Assert.Equal("1.0", added.Version);
        Assert.False(added.Enabled);
        Assert.Equal(2, added.Index);
        Assert.Single(Logged("MemberAdded"));
    }

    [Fact]
    public void Add_SameIdInAnotherCase_IsRefused_AndChangesNothing()
    {
        using ClusterSelector cluster = Create(2);
        ClusterSnapshot before = cluster.Snapshot;

        using (ClusterChange change = cluster.State.Begin())
        {
            var refused = Assert.Throws<ArgumentException>(() => MembershipEditor.Add(change, new ClusterMemberOptions("GW-1"), "id"));
            Assert.Equal("id", refused.ParamName);
            Assert.Empty(change.Events);
            Assert.Same(before, change.Snapshot);
        }

        Assert.Same(before, cluster.Snapshot);
    }

    [Fact]
    public void Add_AtCapacity_IsRefused_AndChangesNothing()
    {
        using ClusterSelector cluster = Create(ClusterLimits.MaxMembers);
        ClusterSnapshot before = cluster.Snapshot;

        using (ClusterChange change = cluster.State.Begin())
        {
            Assert.Throws<ClusterCapacityExceededException>(() => MembershipEditor.Add(change, new ClusterMemberOptions("gw-extra"), "id"));
            Assert.Empty(change.Events);
        }

        Assert.Equal(10, ClusterLimits.MaxMembers);
        Assert.Same(before, cluster.Snapshot);
    }

    [Fact]
    public void Add_OneBelowCapacity_IsAccepted()
    {
        using ClusterSelector cluster = Create(ClusterLimits.MaxMembers - 1);

        using (ClusterChange change = cluster.State.Begin())
        {
            MembershipEditor.Add(change, new ClusterMemberOptions("gw-last"), "id");
        }

        Assert.Equal(ClusterLimits.MaxMembers, cluster.MemberCount);
        Assert.Empty(Logged("MemberLimitExceeded"));
    }

    [Fact]
    public void Remove_AnyCase_RemovesTheMember_AndLogsItAsFirstSpelled()
    {
        using ClusterSelector cluster = Create(3);
        MemberState last = cluster.Snapshot.Members[2].State;

        using (ClusterChange change = cluster.State.Begin())
        {
            Assert.True(MembershipEditor.Remove(change, "GW-1"));
            Assert.Equal([new MemberRemovedEvent("gw-1")], change.Events);
        }

        Assert.Equal(["gw-0", "gw-2"], cluster.Snapshot.Members.Select(m => m.Id));
        Assert.Same(last, cluster.Snapshot.Members[1].State); // the same member, one place up
        Assert.Equal(1, cluster.Snapshot.Members[1].Index);
    }

    [Fact]
    public void Remove_UnknownId_ReturnsFalse_AndChangesNothing()
    {
        using ClusterSelector cluster = Create(2);
        ClusterSnapshot before = cluster.Snapshot;

        using (ClusterChange change = cluster.State.Begin())
        {
            Assert.False(MembershipEditor.Remove(change, "gw-9"));
            Assert.Empty(change.Events);
        }

        Assert.Same(before, cluster.Snapshot);
    }

    [Fact]
    public void SetEnabled_Changed_ReplacesTheMember_AndQueuesTheChange()
    {
        using ClusterSelector cluster = Create(2);

        using (ClusterChange change = cluster.State.Begin())
        {
            Assert.True(MembershipEditor.SetEnabled(change, "Gw-0", false));
            Assert.Equal([new MemberEnabledChangedEvent("gw-0", false)], change.Events);
        }

        Assert.False(cluster.Snapshot.Members[0].Enabled);
        Assert.Equal(MemberRejectionReason.Disabled, cluster.Snapshot.Members[0].Rejection);
        Assert.Equal("gw-1", Assert.Single(cluster.Snapshot.Eligible).State.Id);
    }

    [Fact]
    public void SetEnabled_Unchanged_ReturnsTrue_ButChangesNothing()
    {
        using ClusterSelector cluster = Create(2);
        ClusterSnapshot before = cluster.Snapshot;

        using (ClusterChange change = cluster.State.Begin())
        {
            Assert.True(MembershipEditor.SetEnabled(change, "gw-0", true));
            Assert.Empty(change.Events);
        }

        Assert.Same(before, cluster.Snapshot);
    }

    [Fact]
    public void SetEnabled_UnknownId_ReturnsFalse()
    {
        using ClusterSelector cluster = Create(2);

        using ClusterChange change = cluster.State.Begin();

        Assert.False(MembershipEditor.SetEnabled(change, "gw-9", false));
        Assert.Empty(change.Events);
    }

    [Fact]
    public void SetMode_Changed_ReplacesTheSnapshot_AndQueuesModeChanged()
    {
        using ClusterSelector cluster = Create(2);
        ClusterSnapshot before = cluster.Snapshot;

        using (ClusterChange change = cluster.State.Begin())
        {
            MembershipEditor.SetMode(change, SelectionMode.Random);
            Assert.Equal([new ModeChangedEvent(SelectionMode.Random)], change.Events);
        }

        Assert.Equal(SelectionMode.Random, cluster.Snapshot.Mode);
        Assert.Same(before.Members, cluster.Snapshot.Members);
    }

    [Fact]
    public void SetMode_Unchanged_ChangesNothing()
    {
        using ClusterSelector cluster = Create(2);
        ClusterSnapshot before = cluster.Snapshot;

        using (ClusterChange change = cluster.State.Begin())
        {
            MembershipEditor.SetMode(change, SelectionMode.Failover);
            Assert.Empty(change.Events);
        }

        Assert.Same(before, cluster.Snapshot);
    }

    [Fact]
    public void Reconfigure_IdsThatStay_KeepTheirStateAndFirstSpelling_InTheNewOrder()
    {
        using ClusterSelector cluster = Create(3);
        MemberState gw0 = cluster.Snapshot.Members[0].State;
        MemberState gw2 = cluster.Snapshot.Members[2].State;
        var options = new ClusterOptions { Members = { new("GW-2"), new("gw-new"), new("Gw-0") } };

        Reconfigure(cluster, options);

        SnapshotMember[] members = cluster.Snapshot.Members;
        Assert.Equal(["gw-2", "gw-new", "gw-0"], members.Select(m => m.Id));
        Assert.Same(gw2, members[0].State);
        Assert.Same(gw0, members[2].State);
        Assert.Equal([0, 1, 2], members.Select(m => m.Index));
    }

    [Fact]
    public void Reconfigure_SameWindow_KeepsTheSamples()
    {
        using ClusterSelector cluster = Create(2);
        cluster.ReportUtilization("gw-0", 50, 50);
        MemberThrottle throttle = cluster.Snapshot.Members[0].State.Throttle;
        UtilizationWindow samples = Assert.IsType<UtilizationWindow>(throttle.Utilization);

        ClusterOptions options = Clusters.Options(2);
        options.CPUUtilizationPercentageThreshold = 40;
        Reconfigure(cluster, options);

        Assert.Same(samples, throttle.Utilization);
        Assert.Equal(MemberRejectionReason.CpuLimit, cluster.Snapshot.Members[0].Rejection); // judged on the kept samples
    }

    [Fact]
    public void Reconfigure_NewWindow_DropsTheSamples_AndJudgesWithoutThem()
    {
        ClusterOptions first = Clusters.Options(2);
        first.CPUUtilizationPercentageThreshold = 40;
        using var cluster = new ClusterSelector("editor", first, _time, logger: _logger);
        cluster.ReportUtilization("gw-0", 90, 50);
        Assert.Equal(MemberRejectionReason.CpuLimit, cluster.Snapshot.Members[0].Rejection);

        ClusterOptions second = Clusters.Options(2);
        second.CPUUtilizationPercentageThreshold = 40;
        second.ResourceUtilizationAggregationTimeInMinutes = 10;
        Reconfigure(cluster, second);

        MemberState gw0 = cluster.Snapshot.Members[0].State;
        Assert.Null(gw0.Throttle.Utilization);
        Assert.Null(gw0.Throttle.Verdict.CpuPercent);
        Assert.Equal(MemberRejectionReason.None, cluster.Snapshot.Members[0].Rejection);
        Assert.Equal(TimeSpan.FromMinutes(10), cluster.State.Settings.Throttling.Window);
    }

    [Fact]
    public void Reconfigure_TrackingTurnedOff_ClearsPenaltiesButKeepsCounts()
    {
        using ClusterSelector cluster = Create(2);
        cluster.ReportOffline("gw-0");
        cluster.ReportOffline("gw-0");

        ClusterOptions options = Clusters.Options(2);
        options.TrackOfflineMembers = false;
        Reconfigure(cluster, options);

        OfflinePenalty penalty = cluster.Snapshot.Members[0].State.Penalty;
        Assert.Equal(MemberHealth.Online, penalty.Health);
        Assert.Equal(2, penalty.ConsecutiveOfflineResults);
        Assert.Equal(MemberHealth.Online, cluster.Snapshot.Members[0].Health);
        Assert.Empty(cluster.Snapshot.Deferred);
    }

    [Fact]
    public void Reconfigure_TrackingStaysOn_KeepsPenalties()
    {
        using ClusterSelector cluster = Create(2);
        cluster.ReportOffline("gw-0");

        Reconfigure(cluster, Clusters.Options(2));

        Assert.Equal(MemberHealth.Penalized, cluster.Snapshot.Members[0].Health);
        Assert.Equal("gw-0", Assert.Single(cluster.Snapshot.Deferred).State.Id);
    }

    [Fact]
    public void Reconfigure_EvaluatesEveryVerdictBeforeChangingAnything()
    {
        using ClusterSelector cluster = Create(2);
        ClusterSettings oldSettings = cluster.State.Settings;
        ClusterSnapshot oldSnapshot = cluster.Snapshot;
        var observer = new ObservingPolicy(cluster);
        ClusterOptions options = Clusters.Options(3);
        options.ThrottlePolicies.Add(observer);

        Reconfigure(cluster, options);

        Assert.Equal(3, observer.Seen.Count);
        Assert.All(observer.Seen, seen =>
        {
            Assert.Same(oldSettings, seen.Settings);
            Assert.Same(oldSnapshot, seen.Snapshot);
            Assert.Equal(2, seen.MembersInChange);
        });
        Assert.NotSame(oldSettings, cluster.State.Settings);
    }

    [Fact]
    public void Reconfigure_NewVerdicts_AreApplied_WithTheirEvents()
    {
        ClusterOptions first = Clusters.Options(2);
        using var cluster = new ClusterSelector("editor", first, _time, logger: _logger);
        cluster.ReportUtilization("gw-1", 90, 10);
        Assert.Equal(MemberRejectionReason.None, cluster.Snapshot.Members[1].Rejection);

        ClusterOptions second = Clusters.Options(2);
        second.CPUUtilizationPercentageThreshold = 80;
        using (ClusterChange change = cluster.State.Begin())
        {
            MembershipEditor.Reconfigure(change, second, ClusterSettings.From(second));
            Assert.Contains(new MemberThrottledEvent("gw-1", MemberRejectionReason.CpuLimit), change.Events);
        }

        Assert.Equal(MemberRejectionReason.CpuLimit, cluster.Snapshot.Members[1].Rejection);
    }

    [Fact]
    public void MemberLimitExceeded_QueuedOnlyWhenTheCountGoesOverTheLimit()
    {
        using ClusterSelector cluster = Create(2);

        Reconfigure(cluster, Clusters.Options(11));
        Assert.Single(Logged("MemberLimitExceeded"));
        Assert.Equal("11", Logged("MemberLimitExceeded")[0].GetStructuredStateValue("MemberCount"));

        Reconfigure(cluster, Clusters.Options(12)); // still over: no new warning
        using (ClusterChange change = cluster.State.Begin())
        {
            Assert.True(MembershipEditor.Remove(change, "gw-11")); // 11 left, still over
        }

        Assert.Single(Logged("MemberLimitExceeded"));

        Reconfigure(cluster, Clusters.Options(10));
        Reconfigure(cluster, Clusters.Options(11)); // over again
        Assert.Equal(2, Logged("MemberLimitExceeded").Count);
    }

    [Fact]
    public void VersionSkew_QueuedOnlyWhenTheSetOfVersionsChanges()
    {
        var options = new ClusterOptions { Members = { new("gw-0", "1.0"), new("gw-1", "1.0") } };
        using var cluster = new ClusterSelector("editor", options, _time, logger: _logger);
        Assert.Empty(Logged("VersionSkew"));

        Add(cluster, "gw-2", "2.0");
        Assert.Equal(["1.0, 2.0"], Logged("VersionSkew").Select(r => r.GetStructuredStateValue("Versions")));

        Add(cluster, "gw-3", "2.0"); // a version already present
        Add(cluster, "gw-4", "1.0"); // the same set
        Add(cluster, "gw-5", null); // unknown versions are not compared
        Add(cluster, "gw-6", " ");
        Assert.Single(Logged("VersionSkew"));

        Add(cluster, "gw-7", "3.0");
        Assert.Equal(2, Logged("VersionSkew").Count);
        Assert.Equal("1.0, 2.0, 3.0", Logged("VersionSkew")[1].GetStructuredStateValue("Versions"));
    }

    [Fact]
    public void VersionSkew_VersionsDifferingOnlyInCase_AreOneVersion()
    {
        var options = new ClusterOptions { Members = { new("gw-0", "1.0-beta"), new("gw-1", "1.0-BETA") } };

        using var cluster = new ClusterSelector("editor", options, _time, logger: _logger);

        Assert.Empty(Logged("VersionSkew"));
        Assert.Single(cluster.Snapshot.Versions);
    }

    [Fact]
    public void VersionSkew_BackToOneVersion_IsNotLogged()
    {
        var options = new ClusterOptions { Members = { new("gw-0", "1.0"), new("gw-1", "2.0") } };
        using var cluster = new ClusterSelector("editor", options, _time, logger: _logger);
        Assert.Single(Logged("VersionSkew"));

        using (ClusterChange change = cluster.State.Begin())
        {
            MembershipEditor.Remove(change, "gw-1");
        }

        Assert.Single(Logged("VersionSkew"));
    }

    private static void Add(ClusterSelector cluster, string id, string? version)
    {
        using ClusterChange change = cluster.State.Begin();
        MembershipEditor.Add(change, new ClusterMemberOptions(id, version), nameof(id));
    }

    private static void Reconfigure(ClusterSelector cluster, ClusterOptions options)
    {
        using ClusterChange change = cluster.State.Begin();
        MembershipEditor.Reconfigure(change, options, ClusterSettings.From(options));
    }

    private List<FakeLogRecord> Logged(string eventName) => _logger.Collector.GetSnapshot().Where(r => r.Id.Name == eventName).ToList();

    private ClusterSelector Create(int members) => new("editor", Clusters.Options(members), _time, logger: _logger);

    /// <summary>Records what the cluster looked like each time the policy was evaluated.</summary>
    private sealed class ObservingPolicy(ClusterSelector cluster) : ThrottlePolicy
    {
        public List<(ClusterSettings Settings, ClusterSnapshot Snapshot, int MembersInChange)> Seen { get; } = [];

        public override string Name => "observer";

        public override ThrottleDecision Evaluate(in MemberLoad load)
        {
            Seen.Add((cluster.State.Settings, cluster.State.Snapshot, cluster.State.Snapshot.Members.Length));
            return ThrottleDecision.Admit;
        }
    }
}
