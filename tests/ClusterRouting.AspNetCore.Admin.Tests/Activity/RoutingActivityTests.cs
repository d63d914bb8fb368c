using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Admin.Tests;

/// <summary>The listener on the engine's meter, on its own: counts by second of the clock, only its factory's meters, forgets what is gone, stops when disposed.</summary>
public sealed class RoutingActivityTests
{
    [Fact]
    public void Read_AfterAMinute_HasForgottenTheSelections()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory meters = services.GetRequiredService<IMeterFactory>();
        var time = new FakeTimeProvider();
        using var activity = new RoutingActivity(meters, time);
        activity.Start();
        using var cluster = new ClusterSelector("sales", new ClusterOptions { Members = { new("gw-1") } }, time, meterFactory: meters);

        Select(cluster, 3);
        time.Advance(TimeSpan.FromSeconds(30));
        Select(cluster, 2);

        Assert.Equal(5, activity.Read("sales", ["gw-1"]).Members["gw-1"].Selections);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(2, activity.Read("sales", ["gw-1"]).Members["gw-1"].Selections);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, activity.Read("sales", ["gw-1"]).Cluster.Selections);
    }

    [Fact]
    public void Start_CountsOnlyItsFactorysMeters()
    {
        using ServiceProvider mine = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using ServiceProvider theirs = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var activity = new RoutingActivity(mine.GetRequiredService<IMeterFactory>(), TimeProvider.System);
        activity.Start();
        using var counted = new ClusterSelector("sales", new ClusterOptions { Members = { new("gw-1") } }, meterFactory: mine.GetRequiredService<IMeterFactory>());
        using var other = new ClusterSelector("sales", new ClusterOptions { Members = { new("gw-1") } }, meterFactory: theirs.GetRequiredService<IMeterFactory>());
        using var unscoped = new ClusterSelector("sales", new ClusterOptions { Members = { new("gw-1") } });

        Select(counted, 1);
        Select(other, 4);
        Select(unscoped, 8);

        Assert.Equal(1, activity.Read("sales", ["gw-1"]).Cluster.Selections);
    }

    [Fact]
    public void Dispose_StopsCounting()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory meters = services.GetRequiredService<IMeterFactory>();
        var activity = new RoutingActivity(meters, TimeProvider.System);
        activity.Start();
        using var cluster = new ClusterSelector("sales", new ClusterOptions { Members = { new("gw-1") } }, meterFactory: meters);
        Select(cluster, 1);

        activity.Dispose();
        Select(cluster, 1);

        Assert.Equal(1, activity.Read("sales", ["gw-1"]).Cluster.Selections);
        Assert.Throws<ObjectDisposedException>(activity.Start);
    }

    [Fact]
    public void Retain_ForgetsClustersNoLongerRegistered()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory meters = services.GetRequiredService<IMeterFactory>();
        using var activity = new RoutingActivity(meters, TimeProvider.System);
        activity.Start();
        using var cluster = new ClusterSelector("sales", new ClusterOptions { Members = { new("gw-1") } }, meterFactory: meters);
        Select(cluster, 2);

        activity.Retain(["refresh"]);

        Assert.Equal(0, activity.Read("sales", ["gw-1"]).Cluster.Selections);
    }

    private static void Select(ClusterSelector cluster, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using MemberLease lease = cluster.Select();
        }
    }
}
