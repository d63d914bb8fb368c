namespace ClusterRouting.Http;

/// <summary>Options of a <see cref="ClusterRoutingHandler"/>.</summary>
public sealed class ClusterRoutingHandlerOptions
{
    /// <summary>
    /// Gets or sets how many bytes of a 503 or 429 body the handler reads, at most, to look for the gateway's sentence
    /// that names the limit a member refused for. 0 reads no body: only the <c>ClusterRouting-Limit</c> and
    /// <c>Retry-After</c> headers are looked at. A response that turns out not to be a refusal keeps every byte of its body.
    /// </summary>
    /// <value>The default value is 4,096. The range is 0 to 1,048,576.</value>
    public int MaxRefusalBodyBytes { get; set; } = HttpRoutingDefaults.MaxRefusalBodyBytes;

    /// <summary>
    /// Gets or sets how long one attempt on a member may take until its response headers arrive (and a refusal's body
    /// is read). An attempt that takes longer counts as the member being offline: the member is penalized and the
    /// request moves to the next member when it may be sent again. The response body of the answer is not covered:
    /// use the caller's cancellation token, <see cref="HttpClient.Timeout"/> or the resilience handler's total timeout
    /// for the whole request.
    /// </summary>
    /// <value>The default value is <see langword="null"/>: no per-attempt timeout. When set, it must be greater than zero.</value>
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>
    /// Gets or sets the longest cool-down a member's <c>Retry-After</c> can ask for: a longer one is cut to this, so
    /// that a member that answers with a far-off date is not routed around for hours.
    /// </summary>
    /// <value>The default value is 5 minutes. It must be greater than zero.</value>
    public TimeSpan MaxRefusalCoolDown { get; set; } = HttpRoutingDefaults.MaxRefusalCoolDown;
}
