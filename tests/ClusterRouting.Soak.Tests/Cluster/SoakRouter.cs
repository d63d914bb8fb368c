using System.Text.Json.Nodes;
using ClusterRouting.Http;
using ClusterRouting.Soak.Tests.Faults;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.Soak.Tests.Cluster;

/// <summary>
/// A router as an application sets one up, in its own Generic Host (its own container, its own cluster named
/// <c>gateway</c>): the cluster bound from a JSON file through an <see cref="IConfigurationRoot"/> that the soak
/// rewrites and reloads, active health probing, the custom <see cref="FlakyThrottlePolicy"/>, the shared throwing
/// logger, and an <see cref="HttpClient"/> from <see cref="IHttpClientFactory"/> whose requests
/// <see cref="ClusterRoutingHandler"/> routes.
/// </summary>
internal sealed class SoakRouter : IAsyncDisposable
{
    public const string ClusterName = "gateway";
    private static readonly TimeSpan StartStopTimeout = TimeSpan.FromSeconds(15);

    private readonly IHost _host;
    private readonly string _configurationFile;
    private readonly IConfigurationRoot _configuration;
    private readonly IReadOnlyList<SoakMember> _members;
    private readonly Lock _reloadGate = new();

    private readonly ThrottlePolicyFailureMode _failureMode;

    private SoakRouter(string name, IHost host, string configurationFile, IConfigurationRoot configuration, IReadOnlyList<SoakMember> members, RouterConfiguration configured, ThrottlePolicyFailureMode failureMode)
    {
        Name = name;
        _failureMode = failureMode;
        _host = host;
        _configurationFile = configurationFile;
        _configuration = configuration;
        _members = members;
        Configured = configured;
        IClusterSelectorProvider clusters = host.Services.GetRequiredService<IClusterSelectorProvider>();
        Cluster = clusters.GetCluster(ClusterName);
        Administration = clusters.GetAdministration(ClusterName);
        Client = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient(ClusterName);
    }

    public string Name { get; }

    public IClusterSelector Cluster { get; }

    public IClusterAdministration Administration { get; }

    public HttpClient Client { get; }

    /// <summary>Gets the last valid configuration written (the one the cluster must be running).</summary>
    public RouterConfiguration Configured { get; private set; }

    /// <param name="name">The router's name, for the report.</param>
    /// <param name="members">The members, in order (the first is the primary).</param>
    /// <param name="configuration">The cluster's first configuration.</param>
    /// <param name="attemptTimeout">The handler's attempt timeout, or <see langword="null"/> for none.</param>
    /// <param name="failureMode">What the cluster does with a member whose policy throws.</param>
    /// <param name="switches">The faults in user code.</param>
    /// <param name="logs">The shared logger provider.</param>
    /// <param name="directory">Where the router's JSON file is written.</param>
    public static async Task<SoakRouter> StartAsync(
        string name,
        IReadOnlyList<SoakMember> members,
        RouterConfiguration configuration,
        TimeSpan? attemptTimeout,
        ThrottlePolicyFailureMode failureMode,
        FaultSwitches switches,
        ILoggerProvider logs,
        string directory)
    {
        string file = Path.Combine(directory, $"router-{name}.json");
        await File.WriteAllTextAsync(file, Json(members, configuration, failureMode));
        IConfigurationRoot root = new ConfigurationBuilder().AddJsonFile(file, optional: false, reloadOnChange: false).Build();

        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddSingleton(switches);
        builder.Services.AddClusterRouting(root.GetSection("ClusterRouting"))
            .AddThrottlePolicy<FlakyThrottlePolicy>(ClusterName)
            .AddHealthProbing(o =>
            {
                o.Interval = TimeSpan.FromMilliseconds(500);
                o.UnhealthyInterval = TimeSpan.FromMilliseconds(200);
                o.Timeout = TimeSpan.FromSeconds(1);
            });
        builder.Services.AddHttpClient(ClusterName, c => c.BaseAddress = new Uri($"http://{ClusterName}/"))
            .AddClusterRouting(ClusterName, o =>
            {
                o.AttemptTimeout = attemptTimeout;
                o.MaxRefusalCoolDown = SoakSettings.MaxRefusalCoolDown;
            });

        IHost host = builder.Build();
        await host.StartAsync().WaitAsync(StartStopTimeout);
        return new SoakRouter(name, host, file, root, members, configuration, failureMode);
    }

    /// <summary>
    /// Writes <paramref name="next"/> to the router's JSON file and reloads the configuration root. Returns the exception
    /// the reload threw into the reloader, if any (there must be none, valid or not).
    /// </summary>
    public Exception? Reload(RouterConfiguration next)
    {
        lock (_reloadGate)
        {
            string temporary = _configurationFile + ".next";
            File.WriteAllText(temporary, next.Invalid is null ? Json(_members, next, _failureMode) : InvalidJson(_members, next, _failureMode));
            File.Move(temporary, _configurationFile, overwrite: true);
            if (next.Invalid is null)
            {
                Configured = next;
            }

            try
            {
                _configuration.Reload();
                return null;
            }
#pragma warning disable CA1031 // Recorded: the soak fails on it.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return ex;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync().WaitAsync(StartStopTimeout);
        }
        finally
        {
            Client.Dispose();
            _host.Dispose();
        }
    }

    private static string Json(IReadOnlyList<SoakMember> members, RouterConfiguration configuration, ThrottlePolicyFailureMode failureMode)
    {
        JsonObject cluster = ClusterSection(members, configuration, failureMode);
        return Wrap(cluster);
    }

    private static string InvalidJson(IReadOnlyList<SoakMember> members, RouterConfiguration configuration, ThrottlePolicyFailureMode failureMode)
    {
        JsonObject cluster = ClusterSection(members, configuration, failureMode);
        switch (configuration.Invalid)
        {
            case InvalidKind.ThresholdOutOfRange:
                cluster["CPUUtilizationPercentageThreshold"] = 150;
                break;
            case InvalidKind.UnknownMode:
                cluster["Mode"] = "Sideways";
                break;
            case InvalidKind.DuplicateMemberIds:
                ((JsonArray)cluster["Members"]!).Add(new JsonObject { ["Id"] = members[0].Id, ["Address"] = members[1].Address.ToString() });
                break;
            case InvalidKind.NoMembers:
                cluster.Remove("Members");
                break;
            case InvalidKind.MissingSection:
                return Wrap(cluster, clusterName: ClusterName + "-typo");
            default:
                throw new ArgumentOutOfRangeException(nameof(configuration), configuration.Invalid, "unknown invalid kind");
        }

        return Wrap(cluster);
    }

    private static JsonObject ClusterSection(IReadOnlyList<SoakMember> members, RouterConfiguration configuration, ThrottlePolicyFailureMode failureMode)
    {
        var list = new JsonArray();
        foreach (SoakMember member in members)
        {
            list.Add(new JsonObject { ["Id"] = member.Id, ["Address"] = member.Address.ToString() });
        }

        return new JsonObject
        {
            ["Mode"] = configuration.Mode.ToString(),
            ["Members"] = list,
            ["CPUUtilizationPercentageThreshold"] = configuration.CpuThreshold,
            ["ResourceUtilizationAggregationTimeInMinutes"] = 1,
            ["ConcurrentOperationLimitPreview"] = configuration.ConcurrencyLimit,
            ["ThrottlePolicyFailureMode"] = failureMode.ToString(),
        };
    }

    private static string Wrap(JsonObject cluster, string clusterName = ClusterName) =>
        new JsonObject { ["ClusterRouting"] = new JsonObject { [clusterName] = cluster } }.ToJsonString();
}

/// <summary>What a router's configuration file says: the valid settings, and, for an invalid reload, what is wrong with it.</summary>
internal sealed record RouterConfiguration(SelectionMode Mode, int ConcurrencyLimit, double CpuThreshold, InvalidKind? Invalid = null);

/// <summary>The invalid configurations the soak reloads, each of which the router must reject and log, keeping the last good one.</summary>
internal enum InvalidKind
{
    ThresholdOutOfRange,
    UnknownMode,
    DuplicateMemberIds,
    NoMembers,
    MissingSection,
}
