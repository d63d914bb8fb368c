using ClusterRouting.Tests.TestSupport;
using FakeTimeProvider = Microsoft.Extensions.Time.Testing.FakeTimeProvider;

namespace ClusterRouting.Tests.Membership;

/// <summary>
/// A change that changes nothing allocates nothing (<see cref="ClusterChange"/>: "each cluster reuses one instance: a
/// report that changes nothing allocates nothing"), measured after a warm-up on this thread.
/// </summary>
[Collection(AllocationGates.Name)]
public class ClusterStateAllocationTests
{
    private const int WarmUp = 1_000;
    private const int Calls = 1_000;

    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void EmptyChange_AfterWarmUp_AllocatesNothing()
    {
        using ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = 80);
        cluster.ReportRefusal("gw-1", ThrottleLimitKind.Cpu, TimeSpan.FromMinutes(1)); // a deadline pending

        long allocated = Measure(() =>
        {
            using (cluster.State.Begin())
            {
            }
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ReportUtilization_SameSampleAtTheSameTime_AllocatesNothing()
    {
        using ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = 80);
        cluster.ReportUtilization("gw-0", 50, 40);
        ClusterSnapshot snapshot = cluster.Snapshot;

        long allocated = Measure(() => cluster.ReportUtilization("gw-0", 50, 40));

        Assert.Same(snapshot, cluster.Snapshot);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ReportUtilization_SameSampleOfAThrottledMember_AllocatesNothing()
    {
        using ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = 80);
        cluster.ReportUtilization("gw-0", 90, 40);
        ClusterSnapshot snapshot = cluster.Snapshot;

        long allocated = Measure(() => cluster.ReportUtilization("gw-0", 90, 40));

        Assert.Same(snapshot, cluster.Snapshot);
        Assert.Equal(0, allocated);
    }

    private static long Measure(Action operation)
    {
        for (int i = 0; i < WarmUp; i++)
        {
            operation();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < Calls; i++)
        {
            operation();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private ClusterSelector Create(Action<ClusterOptions> configure)
    {
        ClusterOptions options = Clusters.Options(2);
        configure(options);
        return new ClusterSelector("allocation", options, _time);
    }
}
