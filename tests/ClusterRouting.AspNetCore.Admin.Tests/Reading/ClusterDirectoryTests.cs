using ClusterRouting.Admin.Contract;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterRouting.Admin.Tests;

/// <summary>
/// The ways a cluster can be missing, each made to happen at an exact point: removed between the directory's look-up
/// and its use, removed while in use, never creatable (invalid options); and a failure that is not the cluster going
/// away is not disguised as one.
/// </summary>
public sealed class ClusterDirectoryTests
{
    [Fact]
    public void Use_ClusterRemovedBetweenTheLookUpAndTheUse_IsUnknownCluster()
    {
        using ServiceProvider services = Services();
        var provider = new HookedProvider(services.GetRequiredService<IClusterSelectorProvider>());
        // The removal lands exactly between the name check and GetAdministration: the engine then throws ArgumentException.
        provider.BeforeGetAdministration = name => Assert.True(provider.Inner.RemoveCluster(name));
        var directory = new ClusterDirectory(provider);
        bool used = false;

        Outcome<string> outcome = directory.Use<string>("sales", _ =>
        {
            used = true;
            return "used";
        });

        Assert.False(used);
        AssertUnknownCluster(outcome, "sales");
    }

    [Fact]
    public void Use_ClusterRemovedWhileInUse_IsUnknownCluster()
    {
        using ServiceProvider services = Services();
        IClusterSelectorProvider provider = services.GetRequiredService<IClusterSelectorProvider>();
        var directory = new ClusterDirectory(provider);

        // Removed after the administration was handed out: the disposed cluster throws ObjectDisposedException.
        Outcome<ClusterStatus> outcome = directory.Use<ClusterStatus>("sales", admin =>
        {
            Assert.True(provider.RemoveCluster("sales"));
            return admin.GetStatus();
        });

        AssertUnknownCluster(outcome, "sales");
    }

    [Fact]
    public void Use_ArgumentExceptionWhileTheClusterIsStillRegistered_IsNotTakenForARemoval()
    {
        using ServiceProvider services = Services();
        var directory = new ClusterDirectory(services.GetRequiredService<IClusterSelectorProvider>());

        var thrown = new ArgumentException("A defect in the caller.");
        ArgumentException caught = Assert.Throws<ArgumentException>(() => directory.Use<string>("sales", _ => throw thrown));

        Assert.Same(thrown, caught);
        Assert.Contains("sales", directory.Names);
    }

    [Fact]
    public void Use_ClusterWithInvalidOptions_IsUnavailableWithTheReason()
    {
        using ServiceProvider services = Services(builder => builder.AddCluster("broken", o =>
        {
            o.Members.Add(new ClusterMemberOptions("m-1"));
            o.Members.Add(new ClusterMemberOptions("M-1"));
        }));
        var directory = new ClusterDirectory(services.GetRequiredService<IClusterSelectorProvider>());

        Outcome<ClusterStatus> outcome = directory.Use<ClusterStatus>("broken", admin => admin.GetStatus());

        Assert.Null(outcome.Value);
        Problem problem = Assert.IsType<Problem>(outcome.Problem);
        Assert.Equal("urn:cluster-routing:cluster-unavailable", problem.Type);
        Assert.Equal("Cluster unavailable", problem.Title);
        Assert.Equal(StatusCodes.Status500InternalServerError, problem.Status);
        Assert.Equal("broken", problem.Cluster);
        Assert.StartsWith("Cluster 'broken' could not be created: ", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("duplicates Members[0].Id", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Use_UnknownName_IsUnknownCluster_WithoutAskingTheProvider()
    {
        using ServiceProvider services = Services();
        var provider = new HookedProvider(services.GetRequiredService<IClusterSelectorProvider>());
        provider.BeforeGetAdministration = _ => Assert.Fail("GetAdministration was called for a name that is not registered.");
        var directory = new ClusterDirectory(provider);

        AssertUnknownCluster(directory.Use<string>("Sales", _ => "used"), "Sales");
    }

    private static void AssertUnknownCluster<T>(Outcome<T> outcome, string name)
        where T : class
    {
        Assert.Null(outcome.Value);
        Problem problem = Assert.IsType<Problem>(outcome.Problem);
        Assert.Equal("urn:cluster-routing:unknown-cluster", problem.Type);
        Assert.Equal(StatusCodes.Status404NotFound, problem.Status);
        Assert.Equal(name, problem.Cluster);
        Assert.Equal($"No cluster named '{name}' is registered.", problem.Detail);
    }

    private static ServiceProvider Services(Action<IClusterRoutingBuilder>? configure = null)
    {
        var services = new ServiceCollection();
        IClusterRoutingBuilder builder = services.AddClusterRouting().AddCluster("sales", o => o.Members.Add(new ClusterMemberOptions("gw-1")));
        configure?.Invoke(builder);
        return services.BuildServiceProvider();
    }

    /// <summary>The engine's provider, with a hook that runs just before an administration is handed out.</summary>
    private sealed class HookedProvider(IClusterSelectorProvider inner) : IClusterSelectorProvider
    {
        public IClusterSelectorProvider Inner => inner;

        public Action<string>? BeforeGetAdministration { get; set; }

        public IReadOnlyCollection<string> ClusterNames => inner.ClusterNames;

        public IClusterSelector GetCluster(string clusterName) => inner.GetCluster(clusterName);

        public IClusterAdministration GetAdministration(string clusterName)
        {
            BeforeGetAdministration?.Invoke(clusterName);
            return inner.GetAdministration(clusterName);
        }

        public bool RemoveCluster(string clusterName) => inner.RemoveCluster(clusterName);
    }
}
