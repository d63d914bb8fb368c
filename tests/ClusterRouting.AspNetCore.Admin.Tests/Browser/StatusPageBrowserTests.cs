using System.Diagnostics;
using ClusterRouting.Admin.Tests;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Xunit.Abstractions;

namespace ClusterRouting.Admin.Tests.Browser;

/// <summary>
/// The status page in a real browser (headless Chromium), on a real router whose cluster sends real work to three
/// member servers on loopback: the page loads with no console error, shows the live cluster's members, shows a member
/// going offline when its server stops, and an operator's Disable click moves the routing to the next member. The
/// screenshot is kept under the test output directory, in <c>artifacts/</c>.
/// </summary>
[Trait("Category", "Browser")]
public sealed class StatusPageBrowserTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _profile = Directory.CreateTempSubdirectory("cluster-routing-chromium-").FullName;

    public static string ArtifactsDirectory => Path.Combine(AppContext.BaseDirectory, "artifacts");

    [Fact]
    public async Task StatusPage_ShowsTheLiveCluster_AnOfflineMember_AndADisableClickMovesTheRouting()
    {
        var elapsed = Stopwatch.StartNew();
        await using MemberServer gw1 = await MemberServer.StartAsync("gw-1");
        await using MemberServer gw2 = await MemberServer.StartAsync("gw-2");
        await using MemberServer gw3 = await MemberServer.StartAsync("gw-3");
        await using AdminTestHost host = await AdminTestHost.StartAsync(
            configureAdmin: o => o.RefreshInterval = TimeSpan.FromMilliseconds(250),
            configureServices: s => s.PostConfigure<ClusterOptions>("sales", o => o.IsOfflineException = ex => ex is HttpRequestException));
        IClusterSelector sales = host.Clusters.GetCluster("sales");
        await using var traffic = new Traffic(sales, new Dictionary<string, Uri> { ["gw-1"] = gw1.Address, ["gw-2"] = gw2.Address, ["gw-3"] = gw3.Address });
        using ChromeDriver browser = Chromium.Start(_profile);
        var wait = new WebDriverWait(browser, Patience) { PollingInterval = TimeSpan.FromMilliseconds(100) };

        // Signed in as an operator (a cookie), the browser lands on the console.
        browser.Navigate().GoToUrl(new Uri(host.BaseAddress, "/test/sign-in?as=olivia"));
        wait.Until(_ => Text(browser, "#connection") == "live");
        Assert.EndsWith("/cluster-routing/", browser.Url, StringComparison.Ordinal);
        Assert.Equal(["gw-1", "gw-2", "gw-3"], browser.FindElements(By.CssSelector("section[data-cluster='sales'] tr[data-member]")).Select(r => r.GetAttribute("data-member")));
        Assert.Equal(["rf-1", "rf-2"], browser.FindElements(By.CssSelector("section[data-cluster='refresh'] tr[data-member]")).Select(r => r.GetAttribute("data-member")));
        Assert.Contains("olivia · operator", Text(browser, "#user"), StringComparison.Ordinal);
        wait.Until(_ => Count(browser, "gw-1", "selections") > 0);
        Assert.Equal("enabled", Cell(browser, "gw-1", "enabled"));
        Assert.StartsWith("online", Cell(browser, "gw-1", "health"), StringComparison.Ordinal);
        wait.Until(_ => Cell(browser, "gw-1", "inFlight") is "1 / 5" or "2 / 5" or "3 / 5");
        output.WriteLine($"page live, traffic on gw-1: {elapsed.Elapsed}");

        // gw-1's server stops: its attempts fail, the router penalizes it, and the page shows it offline.
        await gw1.StopAsync();
        wait.Until(_ => Cell(browser, "gw-1", "health").StartsWith("penalized", StringComparison.Ordinal));
        wait.Until(_ => Count(browser, "gw-1", "offlineAttempts") > 0 && Count(browser, "gw-2", "failovers") > 0);
        output.WriteLine($"gw-1 offline on the page: {elapsed.Elapsed}");

        // The operator disables gw-2 from the page: routing moves to gw-3.
        browser.FindElement(By.CssSelector("section[data-cluster='sales'] tr[data-member='gw-2'] button[data-action='disable']")).Click();
        wait.Until(_ => Cell(browser, "gw-2", "enabled") == "disabled");
        Assert.False(sales.GetStatus().Members[1].Enabled);
        int gw3Before = traffic.ServedBy("gw-3");
        wait.Until(_ => traffic.ServedBy("gw-3") > gw3Before + 3);
        int gw2After = traffic.ServedBy("gw-2");
        await Task.Delay(500);
        Assert.Equal(gw2After, traffic.ServedBy("gw-2"));
        wait.Until(_ => Count(browser, "gw-3", "selections") > 0 && Text(browser, "section[data-cluster='sales'] tr[data-member='gw-2'] button") == "Enable");
        Assert.Contains("gw-2 of sales disabled.", Text(browser, "#message"), StringComparison.Ordinal);
        output.WriteLine($"disable click moved the routing to gw-3: {elapsed.Elapsed}");

        string screenshot = SaveScreenshot(browser, "operators-console.png");
        AssertNoConsoleErrors(browser);
        output.WriteLine($"screenshot: {screenshot}; browser test took {elapsed.Elapsed}");
    }

    [Fact]
    public async Task StatusPage_ForAReader_ShowsTheClustersWithoutChangeButtons()
    {
        await using AdminTestHost host = await AdminTestHost.StartAsync(configureAdmin: o => o.RefreshInterval = TimeSpan.FromMilliseconds(250));
        using ChromeDriver browser = Chromium.Start(_profile);
        var wait = new WebDriverWait(browser, Patience) { PollingInterval = TimeSpan.FromMilliseconds(100) };

        browser.Navigate().GoToUrl(new Uri(host.BaseAddress, "/test/sign-in?as=rita"));
        wait.Until(_ => Text(browser, "#connection") == "live");

        Assert.Equal(3, browser.FindElements(By.CssSelector("section[data-cluster='sales'] tr[data-member]")).Count);
        Assert.Empty(browser.FindElements(By.CssSelector("button")));
        Assert.Contains("rita · read only", Text(browser, "#user"), StringComparison.Ordinal);
        Assert.Contains("different versions", Text(browser, "section[data-cluster='refresh'] ul.warnings"), StringComparison.Ordinal);
        SaveScreenshot(browser, "operators-console-reader.png");
        AssertNoConsoleErrors(browser);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still be letting go of its profile; the temporary folder is left.
        }
    }

    private static string Text(IWebDriver browser, string css)
    {
        try
        {
            return browser.FindElement(By.CssSelector(css)).Text;
        }
        catch (Exception ex) when (ex is NoSuchElementException or StaleElementReferenceException)
        {
            return string.Empty;
        }
    }

    private static string Cell(IWebDriver browser, string member, string field) =>
        Text(browser, $"section[data-cluster='sales'] tr[data-member='{member}'] td[data-field='{field}']");

    private static long Count(IWebDriver browser, string member, string field) =>
        long.TryParse(Cell(browser, member, field), out long value) ? value : -1;

    private static string SaveScreenshot(ChromeDriver browser, string name)
    {
        Directory.CreateDirectory(ArtifactsDirectory);
        string path = Path.Combine(ArtifactsDirectory, name);
        browser.GetScreenshot().SaveAsFile(path);
        return path;
    }

    private static void AssertNoConsoleErrors(ChromeDriver browser)
    {
        LogEntry[] errors = browser.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Warning).ToArray();
        Assert.True(errors.Length == 0, "console: " + string.Join(" | ", errors.Select(e => $"{e.Level} {e.Message}")));
    }
}
