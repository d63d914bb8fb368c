using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterRouting.Tests.Hosting;

/// <summary>The members under maintenance: the dependency of <see cref="MaintenancePolicy"/>, registered in the container.</summary>
public sealed class MaintenanceSchedule(params string[] members)
{
    public IReadOnlySet<string> Members { get; } = new HashSet<string>(members, StringComparer.OrdinalIgnoreCase);

    public int Evaluations { get; set; }
}

/// <summary>Throttles the members that the schedule lists.</summary>
public sealed class MaintenancePolicy(MaintenanceSchedule schedule) : ThrottlePolicy
{
    public MaintenanceSchedule Schedule { get; } = schedule;

    public override string Name => "maintenance";

    public override ThrottleDecision Evaluate(in MemberLoad load)
    {
        Schedule.Evaluations++;
        return Schedule.Members.Contains(load.MemberId) ? ThrottleDecision.Throttle(TimeSpan.FromMinutes(15)) : ThrottleDecision.Admit;
    }
}

public class ThrottlePolicyRegistrationTests
{
    [Fact]
    public void AddThrottlePolicy_WithAConstructorDependency_ThrottlesTheMember()
    {
        using RoutingServices services = RoutingServices.Create(
            Settings.Cluster("refresh", Settings.Members(3)),
            routing => routing.AddThrottlePolicy<MaintenancePolicy>("refresh"),
            s => s.AddSingleton(new MaintenanceSchedule("gw-0")));
        ClusterSelector cluster = services.Cluster("refresh");

        MemberStatus primary = cluster.GetStatus().Members[0];

        Assert.Equal(MemberRejectionReason.PolicyLimit, primary.Throttle);
        Assert.Equal("maintenance", primary.ThrottledBy);
        Assert.Equal(TimeSpan.FromMinutes(15), primary.ThrottleRetryAfter);
        Assert.Equal([40, 40, 40], cluster.GetStatus().Members.Select(m => m.ConcurrencyLimit));
        Assert.Equal(["gw-1", "gw-1"], cluster.SelectIds(2));
    }

    [Fact]
    public void AddThrottlePolicy_ThePolicyIsTheContainersSingleton()
    {
        var schedule = new MaintenanceSchedule("gw-1");
        using RoutingServices services = RoutingServices.Create(
            Settings.Cluster("refresh", Settings.Members(2)),
            routing => routing.AddThrottlePolicy<MaintenancePolicy>("refresh"),
            s => s.AddSingleton(schedule));

        services.Provider.GetCluster("refresh");

        MaintenancePolicy policy = services.Services.GetRequiredService<MaintenancePolicy>();
        Assert.Same(schedule, policy.Schedule);
        Assert.Equal(2, schedule.Evaluations);
    }

    [Fact]
    public void AddThrottlePolicy_AppliesOnlyToItsCluster()
    {
        using RoutingServices services = RoutingServices.Create(
            Settings.Cluster("refresh", Settings.Members(2)).Concat(Settings.Cluster("directquery", Settings.Members(2))),
            routing => routing.AddThrottlePolicy<MaintenancePolicy>("refresh"),
            s => s.AddSingleton(new MaintenanceSchedule("gw-0")));

        Assert.Equal("gw-1", services.Cluster("refresh").SelectOnce());
        Assert.Equal("gw-0", services.Cluster("directquery").SelectOnce());
    }

    [Fact]
    public void AddThrottlePolicy_EveryMemberThrottled_FailsWithThePolicysMessage()
    {
        using RoutingServices services = RoutingServices.Create(
            Settings.Cluster("refresh", Settings.Members(2)),
            routing => routing.AddThrottlePolicy<MaintenancePolicy>("refresh"),
            s => s.AddSingleton(new MaintenanceSchedule("gw-0", "gw-1")));
        ClusterSelector cluster = services.Cluster("refresh");

        var error = Assert.Throws<ClusterThrottledException>(() => cluster.Select());

        Assert.Equal(ThrottleLimitKind.Custom, error.Limit);
        Assert.Equal("maintenance", error.PolicyName);
        Assert.Equal(ClusterThrottledException.MessageFor(ThrottleLimitKind.Custom, "maintenance"), error.Message);
    }

    [Fact]
    public void AddThrottlePolicy_AfterAReload_IsStillAppliedOnce()
    {
        var schedule = new MaintenanceSchedule("gw-0");
        using RoutingServices services = RoutingServices.Create(
            Settings.Cluster("refresh", Settings.Members(2)),
            routing => routing.AddThrottlePolicy<MaintenancePolicy>("refresh"),
            s => s.AddSingleton(schedule));
        ClusterSelector cluster = services.Cluster("refresh");
        int before = schedule.Evaluations;

        services.Set("refresh", "Members:2:Id", "gw-2");
        services.Configuration.Reload();

        Assert.Equal(MemberRejectionReason.PolicyLimit, cluster.GetStatus().Members[0].Throttle);
        Assert.Equal("gw-1", cluster.SelectOnce());
        Assert.Equal(before + 3, schedule.Evaluations);
    }

    [Fact]
    public void AddThrottlePolicy_EmptyClusterName_Throws()
    {
        var services = new ServiceCollection();
        IClusterRoutingBuilder builder = services.AddClusterRouting();

        var error = Assert.Throws<ArgumentException>(() => builder.AddThrottlePolicy<MaintenancePolicy>(" "));

        Assert.Equal("clusterName", error.ParamName);
    }
}
