using Microsoft.Extensions.Logging;

namespace ClusterRouting;

/// <summary>
/// Counts the failures of user code a cluster calls (policies, loggers, meter listeners, the offline predicate, the
/// timer) and logs them, never letting one reach the caller or a timer thread. A failing logger is counted but not
/// logged to, so a broken sink cannot recurse. The counts are read by the <c>cluster_routing.callback.failures</c>
/// instrument when a listener collects it, so counting calls no user code (it is safe under the cluster's lock).
/// </summary>
internal sealed class CallbackFailures
{
    private static readonly string[] s_tags = ["throttle_policy", "logger", "meter_listener", "offline_predicate", "timer"];
    private static readonly string[] s_descriptions = ["throttle policy", "logger", "meter listener", "offline predicate", "timer callback"];

    private readonly string _clusterName;
    private readonly ILogger _logger;
    private readonly long[] _counts = new long[s_tags.Length];

    public CallbackFailures(string clusterName, ILogger logger)
    {
        _clusterName = clusterName;
        _logger = logger;
    }

    /// <summary>The number of kinds, for callers that enumerate the counts.</summary>
    public static int KindCount => s_tags.Length;

    /// <summary>The <c>callback</c> tag of the failures counter for <paramref name="kind"/>.</summary>
    public static string TagOf(CallbackKind kind) => s_tags[(int)kind];

    public static string Describe(CallbackKind kind) => s_descriptions[(int)kind];

    /// <summary>How many times user code of <paramref name="kind"/> threw since the cluster was created.</summary>
    public long CountOf(CallbackKind kind) => Interlocked.Read(ref _counts[(int)kind]);

    /// <summary>Counts a failure without logging it: for a failure logged as an event of its own, or under the cluster's lock.</summary>
    public void Count(CallbackKind kind) => Interlocked.Increment(ref _counts[(int)kind]);

    /// <summary>Counts a failure and logs it (<c>CallbackFailed</c>) unless the logger is what failed. Never throws.</summary>
    public void Report(CallbackKind kind, Exception exception)
    {
        Count(kind);
        if (kind == CallbackKind.Logger)
        {
            return;
        }

        try
        {
            Log.CallbackFailed(_logger, exception, _clusterName, Describe(kind));
        }
#pragma warning disable CA1031 // The logger failed too: count it, and stop there.
        catch (Exception)
#pragma warning restore CA1031
        {
            Count(CallbackKind.Logger);
        }
    }
}
