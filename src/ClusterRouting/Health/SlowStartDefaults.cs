namespace ClusterRouting;

/// <summary>
/// Defaults of slow start. Off unless a window is set, as in Envoy (<c>slow_start_config</c> has no window until one
/// is configured) and HAProxy (<c>slowstart</c> has no default). Linear, as HAProxy's ramp and Envoy's default
/// aggression of 1.0; never below Envoy's <c>min_weight_percent</c> default of 10 %, so a member that comes back takes
/// some work at once and its first results (a probe that passed may still be cold) show soon. Like HAProxy, the ramp
/// never applies to the members a cluster starts with: ramping every member at once would cap the whole cluster.
/// The share and the cap move in <see cref="Steps"/> steps over the window, each one a timer deadline; HAProxy moves
/// its weight at every health check and advises at least several steps per window.
/// </summary>
internal static class SlowStartDefaults
{
    /// <summary>No window: slow start is off.</summary>
    public static readonly TimeSpan Window = TimeSpan.Zero;

    public const double MinimumPercentage = 10;

    /// <summary>How many equal steps the window is cut into: the ramp changes at most this many times.</summary>
    public const int Steps = 20;
}
