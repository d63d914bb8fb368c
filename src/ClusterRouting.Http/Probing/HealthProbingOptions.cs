namespace ClusterRouting.Http;

/// <summary>
/// How the router probes its members' health endpoints (<c>AddHealthProbing</c>). Each member with an address is
/// probed on its own schedule; what it answers feeds the cluster through <see cref="IClusterSelector.ReportProbe"/>.
/// </summary>
/// <remarks>
/// The defaults, against YARP's active health checks (interval 15 s, timeout 10 s, 2 consecutive failures) and Envoy's
/// (interval and timeout required, <c>unhealthy_threshold</c>, <c>unhealthy_interval</c>, <c>interval_jitter</c>):
/// a cluster here has at most 10 members and a member's health endpoint does no work and is never throttled, so
/// probing every 5 s costs little and matches the engine's first offline penalty (5 s); a member known to be down is
/// probed every second, as Envoy's <c>unhealthy_interval</c> allows, so that its return is noticed within a second
/// and its penalty never lapses into a user request sent to find out; 2 failures in a row, as YARP, so that one lost
/// packet does not take a member out; a 2 s timeout, since an endpoint that does nothing and cannot answer in 2 s is a
/// member in trouble; and each wait shortened by up to 20 % at random, so that routers started together do not probe
/// in lockstep.
/// </remarks>
public sealed class HealthProbingOptions
{
    /// <summary>The name of the <see cref="IHttpClientFactory"/> client that sends the probes (configure it for TLS or credentials).</summary>
    public const string HttpClientName = "ClusterRouting.HealthProbe";

    /// <summary>Gets or sets the path of the health endpoint, relative to each member's address. Default: <c>/cluster-routing/health</c>.</summary>
    public string Path { get; set; } = ClusterMemberProtocol.DefaultHealthPath;

    /// <summary>Gets or sets how often a member that answers is probed. Default: 5 seconds.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets how often a member that failed its probes is probed until it answers again. Default: 1 second.</summary>
    public TimeSpan UnhealthyInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets how long a probe may take before it counts as failed. Default: 2 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how many probes in a row must fail before the member is reported offline. Default: 2.</summary>
    public int UnhealthyThreshold { get; set; } = 2;

    /// <summary>Gets or sets the largest fraction (0 to 0.5) by which each wait is shortened at random. Default: 0.2.</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>Gets the clusters to probe, by name; empty (the default) probes every registered cluster.</summary>
    public IList<string> Clusters { get; } = new List<string>();
}
