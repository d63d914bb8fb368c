using System.Diagnostics.Metrics;
using ClusterRouting.Admin.Contract;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Admin.Tests;

/// <summary>The reader on its own: the live page's overview is stamped with the clock, skips what cannot be read, and forgets the activity of clusters removed behind the console's back.</summary>
public sealed class ClusterReaderTests
{
    [Fact]
    public void Overview_ForgetsTheActivityOfAClusterRemovedOutsideTheConsole()
    {
        using ServiceProvider services = Services();
        IClusterSelectorProvider provider = services.GetRequiredService<IClusterSelectorProvider>();
        using var activity = new RoutingActivity(services.GetRequiredService<IMeterFactory>(), TimeProvider.System);
        activity.Start();
        var reader = new ClusterReader(new ClusterDirectory(provider), activity, TimeProvider.System);
        Select(provider.GetCluster("refresh"), 2);
        Assert.True(provider.RemoveCluster("refresh")); // by the application, not through the console
        Assert.Equal(2, activity.Read("refresh", ["rf-1"]).Cluster.Selections);

        Overview overview = reader.Overview();

        Assert.Equal(["sales"], overview.Clusters.Select(c => c.Name));
        Assert.Equal(0, activity.Read("refresh", ["rf-1"]).Cluster.Selections);
    }

    [Fact]
    public void Overview_IsStampedWithTheClock_AndListsOnlyTheClustersItCanRead()
    {
        using ServiceProvider services = Services(broken: true);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 3, 2, 1, TimeSpan.Zero));
        using var activity = new RoutingActivity(services.GetRequiredService<IMeterFactory>(), time);
        var reader = new ClusterReader(new ClusterDirectory(services.GetRequiredService<IClusterSelectorProvider>()), activity, time);

        Overview overview = reader.Overview();
        ClusterList list = reader.List();

        Assert.Equal(new DateTimeOffset(2026, 5, 4, 3, 2, 1, TimeSpan.Zero), overview.Timestamp);
        Assert.Equal(["refresh", "sales"], overview.Clusters.Select(c => c.Name));
        Assert.Equal(["refresh", "sales"], list.Clusters.Select(c => c.Name));
    }

    [Fact]
    public void ListAndOverview_AreInOrdinalOrder_WhateverOrderTheProviderGivesTheNames()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().AddClusterRouting()
            .AddCluster("sales", o => o.Members.Add(new ClusterMemberOptions("gw-1")))
            .AddCluster("refresh", o => o.Members.Add(new ClusterMemberOptions("rf-1")))
            .AddCluster("Zeta", o => o.Members.Add(new ClusterMemberOptions("z-1")))
            .Services.BuildServiceProvider();
        var provider = new ReversedProvider(services.GetRequiredService<IClusterSelectorProvider>());
        Assert.Equal(["sales", "refresh", "Zeta"], provider.ClusterNames);
        using var activity = new RoutingActivity(null, TimeProvider.System);
        var reader = new ClusterReader(new ClusterDirectory(provider), activity, TimeProvider.System);

        Assert.Equal(["Zeta", "refresh", "sales"], reader.List().Clusters.Select(c => c.Name));
        Assert.Equal(["Zeta", "refresh", "sales"], reader.Overview().Clusters.Select(c => c.Name));
    }

    private static ServiceProvider Services(bool broken = false)
    {
        var services = new ServiceCollection().AddMetrics();
        IClusterRoutingBuilder builder = services.AddClusterRouting()
            .AddCluster("sales", o => o.Members.Add(new ClusterMemberOptions("gw-1")))
            .AddCluster("refresh", o => o.Members.Add(new ClusterMemberOptions("rf-1")));
        if (broken)
        {
            // Duplicate member ids: the cluster cannot be created (start-up validation reports it in an application).
            builder.AddCluster("broken", o =>
            {
                o.Members.Add(new ClusterMemberOptions("m-1"));
                o.Members.Add(new ClusterMemberOptions("M-1"));
            });
        }

        return services.BuildServiceProvider();
    }

    private static void Select(IClusterSelector cluster, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using MemberLease lease = cluster.Select();
        }
    }

    /// <summary>An application's own provider, which gives the names in an order of its own (here the reverse).</summary>
    private sealed class ReversedProvider(IClusterSelectorProvider inner) : IClusterSelectorProvider
    {
        public IReadOnlyCollection<string> ClusterNames => inner.ClusterNames.Reverse().ToArray();

        public IClusterSelector GetCluster(string clusterName) => inner.GetCluster(clusterName);

        public IClusterAdministration GetAdministration(string clusterName) => inner.GetAdministration(clusterName);

        public bool RemoveCluster(string clusterName) => inner.RemoveCluster(clusterName);
    }
}
