using System.Globalization;
using ClusterRouting.Admin.Contract;

namespace ClusterRouting.Tool;

/// <summary>How the tool prints the API's answers for a person (<c>--json</c> prints them as the API sent them).</summary>
internal static class Rendering
{
    public static void Clusters(ClusterList list, TextWriter output)
    {
        if (list.Clusters.Count == 0)
        {
            output.WriteLine("No cluster is registered.");
            return;
        }

        var table = new TextTable("CLUSTER", "MODE", "MEMBERS", "ENABLED", "ONLINE", "WARNINGS").RightAlign(2, 3, 4);
        foreach (ClusterSummary cluster in list.Clusters)
        {
            var warnings = new List<string>(2);
            if (cluster.HasVersionSkew)
            {
                warnings.Add("version skew");
            }

            if (cluster.ExceedsMemberLimit)
            {
                warnings.Add("over the member limit");
            }

            table.Add(cluster.Name, cluster.Mode, Number(cluster.MemberCount), Number(cluster.EnabledCount), Number(cluster.OnlineCount), warnings.Count == 0 ? "-" : string.Join(", ", warnings));
        }

        table.WriteTo(output);
    }

    public static void Members(ClusterDetail cluster, TextWriter output)
    {
        output.WriteLine(FormattableString.Invariant($"Cluster '{cluster.Name}': {cluster.Mode}, {cluster.Members.Count} member{(cluster.Members.Count == 1 ? string.Empty : "s")}"));
        foreach (string warning in cluster.Warnings)
        {
            output.WriteLine("warning: " + warning);
        }

        var table = new TextTable("MEMBER", "ROLE", "STATE", "HEALTH", "THROTTLE", "IN FLIGHT", "CPU", "MEMORY", "VERSION", "SEL/1M", "FAILOVERS/1M", "REFUSALS/1M", "OFFLINE/1M")
            .RightAlign(5, 6, 7, 9, 10, 11, 12);
        foreach (MemberDetail member in cluster.Members)
        {
            table.Add(
                member.Id,
                member.IsPrimary ? "primary" : "#" + Number(member.Index),
                member.Enabled ? "enabled" : "disabled",
                Health(member, cluster.Timestamp),
                Throttle(member),
                member.ConcurrencyLimit is int limit ? $"{Number(member.InFlight)}/{Number(limit)}" : Number(member.InFlight),
                Percent(member.CpuPercent),
                Percent(member.MemoryPercent),
                member.Version ?? "-",
                Number(member.Activity.Selections),
                Number(member.Activity.Failovers),
                Number(member.Activity.Refusals),
                Number(member.Activity.OfflineAttempts));
        }

        table.WriteTo(output);
    }

    public static void Member(MemberDetail member, string cluster, TextWriter output) =>
        output.WriteLine($"{member.Id} of cluster '{cluster}' is {(member.Enabled ? "enabled" : "disabled")}: {member.Description}");

    private static string Health(MemberDetail member, DateTimeOffset now) => member.Health switch
    {
        "Penalized" when member.PenalizedUntil is DateTimeOffset until => "penalized " + Number((long)Math.Ceiling(Math.Max(0, (until - now).TotalSeconds))) + "s",
        _ => member.Health.ToLowerInvariant(),
    };

    private static string Throttle(MemberDetail member)
    {
        if (member.Throttle is null)
        {
            return "-";
        }

        string text = member.ThrottledBy is null ? member.Throttle : $"{member.Throttle} ({member.ThrottledBy})";
        return member.ThrottleRetryAfterSeconds is double retry ? text + ", retry " + Number((long)Math.Ceiling(retry)) + "s" : text;
    }

    private static string Percent(double? value) => value is double v ? v.ToString("0.0", CultureInfo.InvariantCulture) + "%" : "-";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
