namespace ClusterRouting.Admin;

/// <summary>The console's defaults and fixed limits.</summary>
internal static class AdminDefaults
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    public static readonly TimeSpan MinRefreshInterval = TimeSpan.FromMilliseconds(100);

    public static readonly TimeSpan MaxRefreshInterval = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long one event stream stays open. The browser's EventSource then reconnects, and each reconnection is
    /// authorized again, so a revoked or expired sign-in stops the updates within this time.
    /// </summary>
    public static readonly TimeSpan MaxStreamDuration = TimeSpan.FromMinutes(5);

    /// <summary>The largest change body read; the bodies are a few dozen bytes.</summary>
    public const int MaxBodyBytes = 4096;

    /// <summary>The window of the routing activity shown, in seconds.</summary>
    public const int ActivityWindowSeconds = 60;

    /// <summary>The antiforgery header used when the application's antiforgery options name none.</summary>
    public const string AntiforgeryHeaderName = "RequestVerificationToken";
}
