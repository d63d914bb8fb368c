using System.Diagnostics;
using System.Text.Json;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Hosting;

/// <summary>
/// Reloads through a real appsettings file and its file watcher: an invalid file, a file without the cluster's
/// section, or one whose cluster has no members is rejected and logged, nothing is thrown on the watcher's thread, and
/// the last good configuration keeps serving until a valid file comes.
/// </summary>
public sealed class JsonFileReloadTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly string _directory = Directory.CreateTempSubdirectory("cluster-routing-reload-").FullName;
    private readonly string _file;
    private readonly IConfigurationRoot _configuration;
    private readonly ServiceProvider _services;
    private readonly FakeLogCollector _log;

    public JsonFileReloadTests()
    {
        _file = Path.Combine(_directory, "appsettings.json");
        Write(Cluster("Failover", "gw-0", "gw-1"));
        _configuration = new ConfigurationBuilder().SetBasePath(_directory).AddJsonFile("appsettings.json", optional: false, reloadOnChange: true).Build();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace)).AddFakeLogging();
        services.AddClusterRouting(_configuration.GetSection("ClusterRouting"));
        _services = services.BuildServiceProvider();
        _log = _services.GetFakeLogCollector();
    }

    public void Dispose()
    {
        _services.Dispose();
        (_configuration as IDisposable)?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task FileChanges_InvalidThenEmptiedThenSectionGone_AllRejected_ThenAValidFileApplies()
    {
        IClusterSelector cluster = _services.GetRequiredService<IClusterSelectorProvider>().GetCluster("refresh");

        Write(Cluster("Sideways", "gw-0", "gw-1"));
        await WaitForRejections(1);
        Write(new { ClusterRouting = new { refresh = new { Mode = "Failover", Members = Array.Empty<object>() } } });
        await WaitForRejections(2);
        Write(new { ClusterRouting = new { refrseh = new { Members = new[] { new { Id = "gw-0" } } } } });
        await WaitForRejections(3);

        Assert.Equal(["gw-0", "gw-1"], cluster.GetStatus().Members.Select(m => m.Id));
        Assert.Equal(SelectionMode.Failover, cluster.Mode);
        FakeLogRecord[] rejected = _log.WithEvent("ConfigurationRejected");
        Assert.Contains("Sideways", rejected[0].Message, StringComparison.Ordinal);
        Assert.Contains("has no members", rejected[1].Message, StringComparison.Ordinal);
        Assert.Contains("has no members", rejected[2].Message, StringComparison.Ordinal);

        Write(Cluster("RoundRobin", "gw-0", "gw-1", "gw-2"));
        await WaitUntil(() => cluster.MemberCount == 3, "the valid file to apply");
        Assert.Equal(SelectionMode.RoundRobin, cluster.Mode);
    }

    private static object Cluster(string mode, params string[] members) =>
        new { ClusterRouting = new { refresh = new { Mode = mode, Members = members.Select(id => new { Id = id }).ToArray() } } };

    private void Write(object content)
    {
        // Write a new file and move it over the old one, so the watcher never reads a half-written file.
        string temporary = _file + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(content));
        File.Move(temporary, _file, overwrite: true);
    }

    private Task WaitForRejections(int count) => WaitUntil(() => _log.WithEvent("ConfigurationRejected").Length >= count, $"{count} rejection(s)");

    private static async Task WaitUntil(Func<bool> condition, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > Patience)
            {
                throw new TimeoutException($"Waited {Patience} for {what}.");
            }

            await Task.Delay(20);
        }
    }
}
