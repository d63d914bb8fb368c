using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Membership;

/// <summary>
/// What a disposed cluster does: its timer stops, leases taken before end as usual, and every other call throws
/// <see cref="ObjectDisposedException"/> except <c>ClusterName</c>, <c>Mode</c> and <c>MemberCount</c> (and
/// <c>Dispose</c> again). A container disposes the clusters it created.
/// </summary>
public class DisposeTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Dispose_StopsTheTimer()
    {
        var cluster = new ClusterSelector("disposed", Clusters.Options(2), _time);
        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(30), cluster.State.TimerDue);

        cluster.Dispose();

        Assert.Null(cluster.State.TimerDue);
        _time.Advance(TimeSpan.FromMinutes(1)); // nothing fires, nothing throws
    }

    [Fact]
    public void Dispose_ATimerCallbackThatRacesIt_AfterAPenaltyEnded_LeavesTheClusterDisposed()
    {
        ClusterOptions options = Clusters.Options(2);
        options.OfflinePenaltyJitter = 0;
        var cluster = new ClusterSelector("disposed", options, _time);
        cluster.ReportOffline("gw-0");
        cluster.Dispose();
        _time.Advance(TimeSpan.FromMinutes(1));

        // What the timer's callback does when it fires just as Dispose runs: the penalty it was armed for has ended.
        Assert.False(cluster.State.CatchUp());

        Assert.Throws<ObjectDisposedException>(() => cluster.Select());
        Assert.Null(cluster.State.TimerDue);
    }

    [Fact]
    public void Dispose_LeasesTakenBefore_EndCleanly()
    {
        var cluster = new ClusterSelector("disposed", Clusters.Options(1), _time);
        MemberLease lease = cluster.Select();
        MemberState member = lease.Member!;

        cluster.Dispose();
        lease.Dispose();

        Assert.Equal(0, member.InFlight);
    }

    [Fact]
    public void Dispose_EveryOtherCall_ThrowsObjectDisposedException_NamingTheCluster()
    {
        var cluster = new ClusterSelector("disposed", Clusters.Options(2), _time);
        cluster.Dispose();
        cluster.Dispose();

        Assert.Equal("disposed", cluster.ClusterName);
        Assert.Equal(SelectionMode.Failover, cluster.Mode);
        Assert.Equal(2, cluster.MemberCount);
        Action[] calls =
        [
            () => cluster.TrySelect(out _),
            () => cluster.TrySelect(out _, out _),
            () => cluster.Select(),
            () => cluster.TrySelectPrimary(out _, out _),
            () => cluster.SelectPrimary(),
            () => cluster.ExecuteAsync((l, _) => ValueTask.FromResult(l.MemberId)).AsTask().GetAwaiter().GetResult(),
            () => cluster.ReportUtilization("gw-0", 1, 1),
            () => cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu),
            () => cluster.ReportOffline("gw-0"),
            () => cluster.ReportSuccess("gw-0"),
            () => cluster.GetStatus(),
            () => cluster.AddMember("gw-9"),
            () => cluster.RemoveMember("gw-0"),
            () => cluster.SetMemberEnabled("gw-0", false),
            () => cluster.Mode = SelectionMode.Random,
            () => cluster.Reconfigure(Clusters.Options(1)),
        ];

        for (int i = 0; i < calls.Length; i++)
        {
            var ex = Assert.Throws<ObjectDisposedException>(calls[i]);
            Assert.Contains("'disposed'", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(2, cluster.MemberCount);
    }

    /// <summary>A hedge that a running execution would start after the cluster was disposed is refused the same way.</summary>
    [Fact]
    public void Dispose_HedgeSelection_ThrowsObjectDisposedException()
    {
        var cluster = new ClusterSelector("disposed", Clusters.Options(2), _time);
        cluster.Dispose();

        Assert.Throws<ObjectDisposedException>(() => cluster.TrySelectHedge(default(NoFilter), out _));
    }

    [Fact]
    public void ContainerDisposed_DisposesTheClustersItCreated()
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(_time);
        services.AddClusterRouting().AddCluster("owned", o => o.Members.Add(new("gw-0")));
        IClusterSelector cluster;
        using (ServiceProvider provider = services.BuildServiceProvider())
        {
            cluster = provider.GetRequiredService<IClusterSelectorProvider>().GetCluster("owned");
            Assert.True(cluster.TrySelect(out MemberLease lease));
            lease.Dispose();
        }

        Assert.Throws<ObjectDisposedException>(() => cluster.TrySelect(out _));
    }
}
