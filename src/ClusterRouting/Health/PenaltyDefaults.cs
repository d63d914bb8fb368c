namespace ClusterRouting;

/// <summary>
/// Defaults of the offline penalty. Envoy's outlier detection ejects for 30 s x ejections up to 300 s, and Finagle's
/// failure accrual backs off from 5 s to 300 s with jitter; both serve large clusters, where one host is a small
/// share of capacity. A gateway cluster has 2 to 10 members, so each is 10 % to 50 % of capacity and keeping a
/// recovered member out is expensive, while one probe per penalty costs one wasted attempt. Hence Finagle's short
/// start (5 s), doubling per consecutive offline result, and a cap of 60 s rather than 300 s so that a member that
/// comes back after a long outage gets traffic within a minute; 20 % jitter keeps several routers from probing in step.
/// </summary>
internal static class PenaltyDefaults
{
    public static readonly TimeSpan BaseDuration = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(60);

    public const double Jitter = 0.2;
}
