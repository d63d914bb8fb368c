using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Cluster;

public class ClusterSelectorMembershipTests
{
    [Fact]
    public void AddMember_AppendsAtTheEndOfFailoverOrder()
    {
        ClusterSelector cluster = Clusters.Create(2);

        cluster.AddMember("gw-new", "2.0");

        ClusterStatus status = cluster.GetStatus();
        Assert.Equal(new[] { "gw-0", "gw-1", "gw-new" }, status.Members.Select(m => m.Id));
        Assert.Equal(2, status.Members[2].Index);
        Assert.Equal("2.0", status.Members[2].Version);
        Assert.True(status.Members[2].Enabled);
    }

    [Fact]
    public void AddMember_Disabled_IsNeverSelected()
    {
        var cluster = new ClusterSelector("c", new ClusterOptions { Mode = SelectionMode.RoundRobin });

        cluster.AddMember("off", enabled: false);
        cluster.AddMember("on");

        for (int i = 0; i < 10; i++)
        {
            Assert.Equal("on", cluster.SelectOnce());
        }
    }

    [Fact]
    public void AddMember_EleventhMember_ThrowsCapacityErrorNamingTheLimitAndKeepsState()
    {
        ClusterSelector cluster = Clusters.Create(10);

        var error = Assert.Throws<ClusterCapacityExceededException>(() => cluster.AddMember("gw-10"));

        Assert.Equal(10, error.MemberCount);
        Assert.Equal("test", error.ClusterName);
        Assert.Equal("Cluster 'test' has 10 members and the limit is 10 (ClusterLimits.MaxMembers); remove a member before adding another.", error.Message);
        Assert.IsAssignableFrom<ClusterRoutingException>(error);
        Assert.Equal(10, cluster.MemberCount);
    }

    [Fact]
    public void AddMember_ClusterSetUpWithTwelve_RefusesUntilBelowTenAgain()
    {
        ClusterSelector cluster = Clusters.Create(12);

        Assert.Throws<ClusterCapacityExceededException>(() => cluster.AddMember("x"));
        Assert.True(cluster.RemoveMember("gw-11"));
        Assert.Throws<ClusterCapacityExceededException>(() => cluster.AddMember("x"));
        Assert.True(cluster.RemoveMember("gw-10"));
        Assert.Throws<ClusterCapacityExceededException>(() => cluster.AddMember("x"));
        Assert.True(cluster.RemoveMember("gw-9"));

        cluster.AddMember("x");

        Assert.Equal(10, cluster.MemberCount);
        Assert.False(cluster.GetStatus().ExceedsMemberLimit);
    }

    [Theory]
    [InlineData("gw-1")]
    [InlineData("GW-1")]
    public void AddMember_DuplicateIdIgnoringCase_ThrowsAndKeepsState(string id)
    {
        ClusterSelector cluster = Clusters.Create(3);

        var error = Assert.Throws<ArgumentException>(() => cluster.AddMember(id));

        Assert.Equal("id", error.ParamName);
        Assert.StartsWith($"Cluster 'test' already has a member with id '{id}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { "gw-0", "gw-1", "gw-2" }, cluster.GetStatus().Members.Select(m => m.Id));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void AddMember_EmptyId_ThrowsArgumentExceptionNamingId(string id)
    {
        ClusterSelector cluster = Clusters.Create(1);

        var error = Assert.Throws<ArgumentException>(() => cluster.AddMember(id));

        Assert.Equal("id", error.ParamName);
        Assert.Equal(1, cluster.MemberCount);
    }

    [Fact]
    public void AddMember_NullId_ThrowsArgumentNullException()
    {
        ClusterSelector cluster = Clusters.Create(1);

        var error = Assert.Throws<ArgumentNullException>(() => cluster.AddMember((string)null!));

        Assert.Equal("id", error.ParamName);
    }

    [Fact]
    public void RemoveMember_UnknownId_ReturnsFalseAndKeepsState()
    {
        ClusterSelector cluster = Clusters.Create(2);

        Assert.False(cluster.RemoveMember("nope"));
        Assert.Equal(2, cluster.MemberCount);
    }

    [Fact]
    public void RemoveMember_Primary_NextMemberBecomesPrimary()
    {
        ClusterSelector cluster = Clusters.Create(3);

        Assert.True(cluster.RemoveMember("GW-0"));

        Assert.Equal("gw-1", cluster.SelectOnce());
        ClusterStatus status = cluster.GetStatus();
        Assert.True(status.Members[0].IsPrimary);
        Assert.Equal("gw-1", status.Members[0].Id);
        Assert.Equal(1, status.Members[1].Index);
    }

    [Fact]
    public void RemoveMember_WithLeaseOutstanding_LeaseStillEndsCleanly()
    {
        ClusterSelector cluster = Clusters.Create(2);
        MemberLease lease = cluster.Select();
        MemberState removed = lease.Member!;
        Assert.Equal(1, removed.InFlight);

        Assert.True(cluster.RemoveMember("gw-0"));
        lease.Dispose();

        Assert.Equal(0, removed.InFlight);
        Assert.Equal("gw-0", lease.MemberId);
        Assert.Equal("gw-1", cluster.SelectOnce());
    }

    [Fact]
    public void RemoveMember_ThenAddSameIdWhileALeaseIsOut_IsTheSameMember_ItsLeaseStillCounts()
    {
        ClusterSelector cluster = Clusters.Create(2);
        MemberLease lease = cluster.Select();

        cluster.RemoveMember("gw-0");
        cluster.AddMember("GW-0");

        MemberStatus readded = cluster.GetStatus().Members.Single(m => m.Id == "gw-0");
        Assert.Equal(1, readded.InFlight);
        Assert.Same(lease.Member, cluster.Snapshot.Members[1].State);
        lease.Dispose();
        Assert.Equal(0, cluster.GetStatus().Members[1].InFlight);
    }

    [Fact]
    public void RemoveMember_ThenAddSameIdAfterItsLeasesEnded_StartsWithFreshState()
    {
        ClusterSelector cluster = Clusters.Create(2);
        MemberLease lease = cluster.Select();
        cluster.ReportOffline("gw-0");
        cluster.RemoveMember("gw-0");
        lease.Dispose();

        cluster.AddMember("gw-0");

        MemberStatus readded = cluster.GetStatus().Members.Single(m => m.Id == "gw-0");
        Assert.Equal(0, readded.InFlight);
        Assert.Equal(MemberHealth.Online, readded.Health);
        Assert.NotSame(lease.Member, cluster.Snapshot.Members[1].State);
    }

    [Fact]
    public void SetMemberEnabled_UnknownId_ReturnsFalse()
    {
        ClusterSelector cluster = Clusters.Create(2);

        Assert.False(cluster.SetMemberEnabled("nope", false));
        Assert.All(cluster.GetStatus().Members, m => Assert.True(m.Enabled));
    }

    [Fact]
    public void SetMemberEnabled_SameValue_KeepsSnapshot()
    {
        ClusterSelector cluster = Clusters.Create(2);
        ClusterSnapshot before = cluster.Snapshot;

        Assert.True(cluster.SetMemberEnabled("gw-1", true));

        Assert.Same(before, cluster.Snapshot);
    }

    [Fact]
    public void SetMemberEnabled_DisableAndEnable_IsReflectedInStatusAndLogged()
    {
        var logger = new FakeLogger();
        ClusterSelector cluster = Clusters.Create(2, logger: logger);

        Assert.True(cluster.SetMemberEnabled("gw-1", false));
        Assert.False(cluster.GetStatus().Members[1].Enabled);
        Assert.True(cluster.SetMemberEnabled("gw-1", true));
        Assert.True(cluster.GetStatus().Members[1].Enabled);

        Assert.Equal(new string?[] { "disabled", "enabled" }, logger.WithEvent("MemberEnabledChanged").Select(e => e.GetStructuredStateValue("Change")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void MembershipCalls_InvalidId_ThrowNamingId(string? id)
    {
        ClusterSelector cluster = Clusters.Create(1);

        Assert.Equal("id", Assert.ThrowsAny<ArgumentException>(() => cluster.RemoveMember(id!)).ParamName);
        Assert.Equal("id", Assert.ThrowsAny<ArgumentException>(() => cluster.SetMemberEnabled(id!, false)).ParamName);
        Assert.Equal(1, cluster.MemberCount);
    }

    [Fact]
    public void Mode_Set_TakesEffectForTheNextSelection()
    {
        ClusterSelector cluster = Clusters.Create(3);
        Assert.Equal("gw-0", cluster.SelectOnce());
        Assert.Equal("gw-0", cluster.SelectOnce());

        cluster.Mode = SelectionMode.RoundRobin;

        Assert.Equal(SelectionMode.RoundRobin, cluster.Mode);
        Assert.Equal(SelectionMode.RoundRobin, cluster.GetStatus().Mode);
        var picks = new[] { cluster.SelectOnce(), cluster.SelectOnce(), cluster.SelectOnce() };
        Assert.Equal(3, picks.Distinct().Count());
    }

    [Fact]
    public void Mode_SetUndefined_ThrowsAndKeepsMode()
    {
        ClusterSelector cluster = Clusters.Create(2, SelectionMode.Random);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => cluster.Mode = (SelectionMode)(-1));

        Assert.Equal("value", error.ParamName);
        Assert.Equal(SelectionMode.Random, cluster.Mode);
    }

    [Fact]
    public void Reconfigure_MembersThatStay_KeepTheirStateAndLeases()
    {
        ClusterSelector cluster = Clusters.Create(3);
        MemberLease lease = cluster.Select();

        cluster.Reconfigure(new ClusterOptions
        {
            Members = { new("gw-2"), new("GW-0", "9"), new("gw-new") },
            Mode = SelectionMode.RoundRobin,
        });

        ClusterStatus status = cluster.GetStatus();
        // A member that stays keeps the id as it was first spelled.
        Assert.Equal(new[] { "gw-2", "gw-0", "gw-new" }, status.Members.Select(m => m.Id));
        Assert.Equal(1, status.Members[1].InFlight);
        Assert.Equal("9", status.Members[1].Version);
        Assert.Equal(SelectionMode.RoundRobin, status.Mode);
        lease.Dispose();
        Assert.Equal(0, cluster.GetStatus().Members[1].InFlight);
    }

    [Fact]
    public void Reconfigure_Invalid_ThrowsAndChangesNothing()
    {
        ClusterSelector cluster = Clusters.Create(3);
        ClusterSnapshot before = cluster.Snapshot;

        var error = Assert.Throws<ArgumentException>(() => cluster.Reconfigure(new ClusterOptions { Members = { new("a"), new("A") } }));

        Assert.Equal("options", error.ParamName);
        Assert.Same(before, cluster.Snapshot);
        Assert.Throws<ArgumentNullException>(() => cluster.Reconfigure(null!));
        Assert.Same(before, cluster.Snapshot);
    }

    [Fact]
    public void Reconfigure_IntoVersionSkew_Warns()
    {
        var logger = new FakeLogger();
        ClusterSelector cluster = Clusters.Create(2, logger: logger);
        Assert.Empty(logger.WithEvent("VersionSkew"));

        cluster.Reconfigure(new ClusterOptions { Members = { new("gw-0", "1"), new("gw-1", "2") } });

        Assert.Single(logger.WithEvent("VersionSkew"));
        Assert.True(cluster.GetStatus().HasVersionSkew);
    }

    [Fact]
    public void GetStatus_ReportsMembersInFlightAndClockTime()
    {
        var time = new FakeTimeProvider();
        ClusterSelector cluster = Clusters.Create(2, time: time);
        MemberLease first = cluster.Select();
        MemberLease second = cluster.Select();
        time.Advance(TimeSpan.FromMinutes(3));

        ClusterStatus status = cluster.GetStatus();

        Assert.Equal("test", status.ClusterName);
        Assert.Equal(time.GetUtcNow(), status.Timestamp);
        Assert.Equal(2, status.Members[0].InFlight);
        Assert.Equal(0, status.Members[1].InFlight);
        Assert.True(status.Members[0].IsPrimary);
        Assert.False(status.Members[1].IsPrimary);
        first.Dispose();
        second.Dispose();
        Assert.Equal(2, status.Members[0].InFlight);
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
    }

    [Fact]
    public async Task ExecuteAsync_MemberRemovedDuringAnAttemptThatFindsItOffline_IsNotPenalized()
    {
        var logger = new FakeLogger();
        using ClusterSelector cluster = Clusters.Create(2, logger: logger);

        string ranOn = await cluster.ExecuteAsync((lease, _) =>
        {
            if (lease.MemberId == "gw-0")
            {
                Assert.True(cluster.RemoveMember("gw-0"));
                throw new MemberOfflineException("gone");
            }

            return new ValueTask<string>(lease.MemberId);
        });

        Assert.Equal("gw-1", ranOn);
        Assert.Empty(logger.WithEvent("PenaltyStarted"));
    }
}
