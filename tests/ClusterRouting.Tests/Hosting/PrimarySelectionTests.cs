using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Hosting;

/// <summary>Primary-only selection on clusters resolved from the container, here added in code with AddCluster.</summary>
public class PrimarySelectionTests
{
    [Fact]
    public void TrySelectPrimary_PrimaryAvailable_ReturnsThePrimary()
    {
        using ServiceProvider provider = Build(o => o.Mode = SelectionMode.RoundRobin);
        IClusterSelector cluster = provider.GetRequiredKeyedService<IClusterSelector>("x");

        Assert.True(cluster.TrySelectPrimary(out MemberLease lease, out SelectionFailure failure));

        using (lease)
        {
            Assert.Equal("gw-0", lease.MemberId);
            Assert.True(lease.IsPrimary);
            Assert.Equal(0, lease.MemberIndex);
            Assert.False(failure.IsFailure);
        }

        using MemberLease again = cluster.SelectPrimary();
        Assert.Equal("gw-0", again.MemberId);
    }

    [Fact]
    public void SelectPrimary_PrimaryDisabled_ThrowsPrimaryUnavailableExceptionNamingTheReason()
    {
        using ServiceProvider provider = Build(o => o.Members[0].Enabled = false);
        var cluster = (ClusterSelector)provider.GetRequiredKeyedService<IClusterAdministration>("x");

        var error = Assert.Throws<PrimaryUnavailableException>(() => cluster.SelectPrimary());

        Assert.Equal("The operation needs the primary member of cluster 'x', and gw-0 can't take it (Disabled).", error.Message);
        Assert.Equal(new MemberRejection("gw-0", MemberRejectionReason.Disabled), error.Primary);
        Assert.Equal("x", error.ClusterName);
        Assert.Equal(["gw-0", "gw-1", "gw-2"], error.Rejections.Select(r => r.MemberId));
        Assert.Equal(error.Primary, error.Rejections[0]);
        Assert.Equal("gw-1", cluster.SelectOnce());
    }

    [Fact]
    public void TrySelectPrimary_PrimaryDisabled_FailsWithIsPrimaryOnly()
    {
        using ServiceProvider provider = Build(o => o.Members[0].Enabled = false);
        var cluster = (ClusterSelector)provider.GetRequiredKeyedService<IClusterAdministration>("x");

        Assert.False(cluster.TrySelectPrimary(out MemberLease lease, out SelectionFailure failure));

        Assert.False(lease.IsAcquired);
        Assert.True(failure.IsFailure);
        Assert.True(failure.IsPrimaryOnly);
        Assert.Equal("x", failure.ClusterName);
        Assert.Equal(3, failure.MemberCount);
        Assert.Equal(new MemberRejection("gw-0", MemberRejectionReason.Disabled), failure.GetRejection(0));
        Assert.IsType<PrimaryUnavailableException>(failure.ToException());
    }

    [Fact]
    public void TrySelectPrimary_PrimaryDisabled_DoesNotReportTheIdleOtherMembersAsThrottled()
    {
        using ServiceProvider provider = Build(o => o.Members[0].Enabled = false);
        var cluster = (ClusterSelector)provider.GetRequiredKeyedService<IClusterAdministration>("x");

        Assert.False(cluster.TrySelectPrimary(out _, out SelectionFailure failure));

        // gw-1 and gw-2 are enabled, unthrottled and have nothing in flight: a primary-only selection never
        // considered them, so they were not rejected (None), and the failure is not a throttling failure.
        Assert.Equal(new MemberRejection("gw-1", MemberRejectionReason.None), failure.GetRejection(1));
        Assert.Equal(new MemberRejection("gw-2", MemberRejectionReason.None), failure.GetRejection(2));
        Assert.False(failure.IsThrottled);
    }

    [Fact]
    public void SelectPrimary_PrimaryThrottled_ThrowsWithItsLimit()
    {
        using ServiceProvider provider = Build(o => o.CPUUtilizationPercentageThreshold = 80);
        var cluster = (ClusterSelector)provider.GetRequiredKeyedService<IClusterAdministration>("x");
        cluster.ReportUtilization("gw-0", 85, 0);

        var error = Assert.Throws<PrimaryUnavailableException>(() => cluster.SelectPrimary());

        Assert.Equal("The operation needs the primary member of cluster 'x', and gw-0 can't take it (CpuLimit); retry after 0:05:00.", error.Message);
        Assert.Equal(MemberRejectionReason.CpuLimit, error.Primary?.Reason);
        Assert.Equal("gw-0", error.Primary?.MemberId);
        Assert.Equal("gw-1", cluster.SelectOnce());
    }

    [Fact]
    public void SelectPrimary_PrimaryRefusedForItsMemoryLimit_ThrowsWithTheRetryAfter()
    {
        using ServiceProvider provider = Build();
        var cluster = (ClusterSelector)provider.GetRequiredKeyedService<IClusterAdministration>("x");
        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Memory, TimeSpan.FromSeconds(20));

        var error = Assert.Throws<PrimaryUnavailableException>(() => cluster.SelectPrimary());

        Assert.Equal(new MemberRejection("gw-0", MemberRejectionReason.MemoryLimit, TimeSpan.FromSeconds(20)), error.Primary);
        Assert.Equal("The operation needs the primary member of cluster 'x', and gw-0 can't take it (MemoryLimit); retry after 0:00:20.", error.Message);
    }

    [Fact]
    public void SelectPrimary_PrimaryAtItsConcurrencyLimit_Throws()
    {
        using ServiceProvider provider = Build(o => o.ConcurrentOperationLimitPreview = 1);
        var cluster = (ClusterSelector)provider.GetRequiredKeyedService<IClusterAdministration>("x");
        using MemberLease held = cluster.SelectPrimary();

        var error = Assert.Throws<PrimaryUnavailableException>(() => cluster.SelectPrimary());

        Assert.Equal(new MemberRejection("gw-0", MemberRejectionReason.ConcurrencyLimit), error.Primary);
        Assert.Equal("The operation needs the primary member of cluster 'x', and gw-0 can't take it (ConcurrencyLimit).", error.Message);
    }

    [Fact]
    public void TrySelectPrimary_PenalizedPrimary_TakesOneOperationAtATime_AsItsProbe()
    {
        using ServiceProvider provider = Build();
        var cluster = (ClusterSelector)provider.GetRequiredKeyedService<IClusterAdministration>("x");
        Assert.True(cluster.ReportOffline("gw-0"));
        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[0].Health);

        Assert.True(cluster.TrySelectPrimary(out MemberLease lease, out _));

        using (lease)
        {
            Assert.Equal("gw-0", lease.MemberId);
            Assert.True(lease.IsPrimary);
            Assert.True(lease.IsProbe);

            // While the probe is out, other primary-only work fails fast, saying the primary is offline.
            Assert.False(cluster.TrySelectPrimary(out _, out SelectionFailure failure));
            Assert.Equal(MemberRejectionReason.Offline, failure.GetRejection(0).Reason);
            var error = Assert.Throws<PrimaryUnavailableException>(() => cluster.SelectPrimary());
            Assert.StartsWith("The operation needs the primary member of cluster 'x', and gw-0 is offline", error.Message, StringComparison.Ordinal);
            Assert.Equal("gw-1", cluster.SelectOnce());
        }

        // The probe came back without a report: the next primary-only operation probes again.
        Assert.True(cluster.TrySelectPrimary(out MemberLease again, out _));
        again.Dispose();
        Assert.Equal("gw-1", cluster.SelectOnce());
    }

    [Fact]
    public void TrySelectPrimary_ProbingPrimary_ReturnsTheProbe()
    {
        var time = new FakeTimeProvider();
        using ServiceProvider provider = Build(o => o.OfflinePenaltyJitter = 0, time);
        var cluster = (ClusterSelector)provider.GetRequiredKeyedService<IClusterAdministration>("x");
        cluster.ReportOffline("gw-0");
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(MemberHealth.Probing, cluster.GetStatus().Members[0].Health);

        Assert.True(cluster.TrySelectPrimary(out MemberLease lease, out _));

        using (lease)
        {
            Assert.Equal("gw-0", lease.MemberId);
            Assert.True(lease.IsProbe);
        }
    }

    [Fact]
    public void TrySelectPrimary_PrimaryRemovedFromConfiguration_TheNextMemberIsThePrimary()
    {
        using ServiceProvider provider = Build();
        var cluster = (ClusterSelector)provider.GetRequiredKeyedService<IClusterAdministration>("x");

        Assert.True(cluster.RemoveMember("gw-0"));
        Assert.True(cluster.TrySelectPrimary(out MemberLease lease, out _));

        using (lease)
        {
            Assert.Equal("gw-1", lease.MemberId);
            Assert.True(lease.IsPrimary);
        }
    }

    /// <summary>Cluster "x" with gw-0, gw-1, gw-2 in failover order, configured in code, on a fake clock.</summary>
    private static ServiceProvider Build(Action<ClusterOptions>? configure = null, FakeTimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time ?? new FakeTimeProvider());
        services.AddClusterRouting().AddCluster("x", o =>
        {
            o.Members.Add(new("gw-0"));
            o.Members.Add(new("gw-1"));
            o.Members.Add(new("gw-2"));
            configure?.Invoke(o);
        });
        return services.BuildServiceProvider();
    }
}
