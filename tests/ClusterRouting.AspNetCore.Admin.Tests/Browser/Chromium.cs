using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace ClusterRouting.Admin.Tests;

/// <summary>
/// Headless Chromium from the Debian packages (<c>chromium</c>, <c>chromium-driver</c>), driven by Selenium: never a
/// browser or driver downloaded at run time. When either is missing the tests fail, saying what to install; they do
/// not skip, so a CI run without a browser cannot pass quietly.
/// </summary>
public static class Chromium
{
    public static string BrowserPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    public static string DriverPath => Environment.GetEnvironmentVariable("CHROMEDRIVER_PATH") ?? "/usr/bin/chromedriver";

    public static ChromeDriver Start(string userDataDirectory)
    {
        if (!File.Exists(BrowserPath) || !File.Exists(DriverPath))
        {
            throw new InvalidOperationException(
                $"Chromium or its driver is missing ({BrowserPath}, {DriverPath}): install the Debian packages chromium and chromium-driver " +
                "(apt-get install -y chromium chromium-driver; .ci/run does), or point CHROMIUM_PATH and CHROMEDRIVER_PATH at them.");
        }

        // An explicit driver and browser: Selenium Manager is never asked to find or fetch either.
        ChromeDriverService service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = BrowserPath };
        options.AddArguments(
            "--headless=new",
            "--no-sandbox", // CI runs as root, where Chromium's sandbox cannot start
            "--disable-dev-shm-usage",
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--window-size=1500,1000",
            "--user-data-dir=" + userDataDirectory);
        options.SetLoggingPreference(LogType.Browser, LogLevel.All);
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }
}
