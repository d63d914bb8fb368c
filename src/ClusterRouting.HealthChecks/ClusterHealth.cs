using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClusterRouting;

/// <summary>
/// Reads a cluster's health from its status: <see cref="HealthStatus.Healthy"/> when every member can take work as
/// configured (enabled, online, under every limit), <see cref="HealthStatus.Degraded"/> when some can and others are
/// offline, probing, throttled, full or disabled, and the registration's failure status when none can. A member that
/// proved offline (penalized) counts as unable even though ordinary selections still try it after every other member.
/// </summary>
internal static class ClusterHealth
{
    public static HealthCheckResult Evaluate(ClusterStatus status, HealthStatus failureStatus)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["mode"] = status.Mode.ToString(),
            ["members"] = status.Members.Count,
        };
        var problems = new List<string>();
        int ready = 0;
        int fine = 0;
        foreach (MemberStatus member in status.Members)
        {
            data["member:" + member.Id] = member.ToString();
            string? problem = ProblemOf(member);
            if (problem is null || member.Health == MemberHealth.Probing)
            {
                ready++;
            }

            if (problem is null)
            {
                fine++;
            }
            else
            {
                problems.Add(member.Id + " " + problem);
            }
        }

        data["ready"] = ready;
        string name = status.ClusterName;
        if (status.Members.Count == 0)
        {
            return new HealthCheckResult(failureStatus, $"Cluster '{name}' has no members.", data: data);
        }

        if (ready == 0)
        {
            return new HealthCheckResult(failureStatus, $"Cluster '{name}': no member can take work; {string.Join(", ", problems)}.", data: data);
        }

        if (fine == status.Members.Count)
        {
            return HealthCheckResult.Healthy(
                string.Format(CultureInfo.InvariantCulture, "Cluster '{0}': {1} can take work.", name, fine == 1 ? "its member" : $"all {fine} members"),
                data);
        }

        return HealthCheckResult.Degraded(
            string.Format(CultureInfo.InvariantCulture, "Cluster '{0}': {1} of {2} members can take work; {3}.", name, ready, status.Members.Count, string.Join(", ", problems)),
            data: data);
    }

    /// <summary>What keeps the member from taking work as configured, or <see langword="null"/> when nothing does.</summary>
    private static string? ProblemOf(MemberStatus member)
    {
        if (!member.Enabled)
        {
            return "disabled";
        }

        if (member.Health == MemberHealth.Penalized)
        {
            return "offline";
        }

        if (member.Throttle == MemberRejectionReason.ConcurrencyLimit && member.ThrottleRetryAfter is null)
        {
            return "full";
        }

        if (member.Throttle != MemberRejectionReason.None)
        {
            return $"throttled ({member.Throttle})";
        }

        return member.Health == MemberHealth.Probing ? "probing" : null;
    }
}
