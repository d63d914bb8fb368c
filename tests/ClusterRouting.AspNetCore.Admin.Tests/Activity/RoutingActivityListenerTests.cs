using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using T = ClusterRouting.ClusterRoutingTelemetry;

namespace ClusterRouting.Admin.Tests;

/// <summary>
/// The listener's edges: started twice it still counts each measurement once and stops entirely when disposed; it
/// counts what the instruments record whatever their numeric type, ignores measurements with no cluster and meters of
/// another name, keeps a failed selection off any member, and a member removed then added again starts from nothing.
/// </summary>
public sealed class RoutingActivityListenerTests
{
    [Fact]
    public void Start_Twice_CountsEachMeasurementOnce_AndDisposeStopsAll()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory meters = services.GetRequiredService<IMeterFactory>();
        var activity = new RoutingActivity(meters, TimeProvider.System);
        activity.Start();
        activity.Start();
        using var cluster = new ClusterSelector("sales", new ClusterOptions { Members = { new("gw-1") } }, meterFactory: meters);

        Select(cluster, 2);
        Assert.Equal(2, activity.Read("sales", ["gw-1"]).Cluster.Selections);

        activity.Dispose();
        Select(cluster, 3);
        Assert.Equal(2, activity.Read("sales", ["gw-1"]).Cluster.Selections);
    }

    [Fact]
    public void Measurements_RecordedAsDouble_AreCounted()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory meters = services.GetRequiredService<IMeterFactory>();
        using var activity = new RoutingActivity(meters, TimeProvider.System);
        activity.Start();
        Counter<double> selections = meters.Create(new MeterOptions(T.MeterName)).CreateCounter<double>(T.Selections);

        selections.Add(1, Tag(T.ClusterTag, "sales"), Tag(T.MemberTag, "gw-1"), Tag(T.SelectionOutcomeTag, "selected"));

        Assert.Equal(1, activity.Read("sales", ["gw-1"]).Members["gw-1"].Selections);
    }

    [Fact]
    public void Measurements_WithoutACluster_OrOnAMeterOfAnotherName_AreNotCounted()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory meters = services.GetRequiredService<IMeterFactory>();
        using var activity = new RoutingActivity(meters, TimeProvider.System);
        activity.Start();
        Counter<long> selections = meters.Create(new MeterOptions(T.MeterName)).CreateCounter<long>(T.Selections);
        Counter<long> lookalike = meters.Create(new MeterOptions("Other")).CreateCounter<long>(T.Selections);

        selections.Add(1, Tag(T.MemberTag, "gw-1"), Tag(T.SelectionOutcomeTag, "selected"));
        lookalike.Add(1, Tag(T.ClusterTag, "sales"), Tag(T.MemberTag, "gw-1"), Tag(T.SelectionOutcomeTag, "selected"));
        selections.Add(1, Tag(T.ClusterTag, "sales"), Tag(T.MemberTag, "gw-2"), Tag(T.SelectionOutcomeTag, "selected"));

        // Only the last one: a measurement with a cluster, on the ClusterRouting meter.
        Assert.Equal(1, activity.Read("sales", ["gw-1", "gw-2"]).Cluster.Selections);
        Assert.Equal(["gw-2"], activity.Read("sales", ["gw-1", "gw-2"]).Members.Keys);
    }

    [Fact]
    public void FailedSelection_NamingAMember_CountsForTheClusterOnly()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory meters = services.GetRequiredService<IMeterFactory>();
        using var activity = new RoutingActivity(meters, TimeProvider.System);
        activity.Start();
        Counter<long> selections = meters.Create(new MeterOptions(T.MeterName)).CreateCounter<long>(T.Selections);

        selections.Add(1, Tag(T.ClusterTag, "sales"), Tag(T.MemberTag, "gw-1"), Tag(T.SelectionOutcomeTag, "throttled"));

        ClusterActivitySnapshot snapshot = activity.Read("sales", ["gw-1"]);
        Assert.Equal((1L, 0L), (snapshot.Cluster.FailedSelections, snapshot.Cluster.Selections));
        Assert.Empty(snapshot.Members);
    }

    [Fact]
    public void Member_RemovedThenAddedAgain_StartsFromNothing()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory meters = services.GetRequiredService<IMeterFactory>();
        using var activity = new RoutingActivity(meters, TimeProvider.System);
        activity.Start();
        using var cluster = new ClusterSelector("sales", new ClusterOptions { Members = { new("gw-1"), new("gw-2") } }, meterFactory: meters);
        Select(cluster, 2); // both on gw-1, the primary

        // A read without gw-1 (it was removed) forgets its counts; the cluster's own stay.
        Assert.Equal(2, activity.Read("sales", ["gw-2"]).Cluster.Selections);
        ClusterActivitySnapshot again = activity.Read("sales", ["gw-1", "gw-2"]);

        Assert.Empty(again.Members);
        Assert.Equal(2, again.Cluster.Selections);
    }

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    private static void Select(ClusterSelector cluster, int count)
    {
        for (int i = 0; i < count; i++)
        {
            using MemberLease lease = cluster.Select();
        }
    }
}
