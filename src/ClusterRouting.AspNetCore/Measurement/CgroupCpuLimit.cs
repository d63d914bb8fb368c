using System.Globalization;

namespace ClusterRouting.AspNetCore;

/// <summary>
/// Reads a container's CPU quota, in processors, from the cgroup files as a container sees them (cgroup v2
/// <c>cpu.max</c>; cgroup v1 <c>cpu.cfs_quota_us</c> and <c>cpu.cfs_period_us</c>). The runtime rounds a quota up
/// to whole processors in <see cref="Environment.ProcessorCount"/>; the quota itself keeps a limit of 1.5 processors
/// from reading as 2.
/// </summary>
internal static class CgroupCpuLimit
{
    public const string DefaultRoot = "/sys/fs/cgroup";

    /// <summary>The quota in processors, or <see langword="null"/> when there is none or it cannot be read.</summary>
    public static double? Read(string root)
    {
        try
        {
            string v2 = Path.Combine(root, "cpu.max");
            if (File.Exists(v2))
            {
                return ParseV2(File.ReadAllText(v2));
            }

            foreach (string controller in (ReadOnlySpan<string>)["cpu", "cpu,cpuacct", "cpuacct,cpu"])
            {
                string quota = Path.Combine(root, controller, "cpu.cfs_quota_us");
                string period = Path.Combine(root, controller, "cpu.cfs_period_us");
                if (File.Exists(quota) && File.Exists(period))
                {
                    return ParseV1(File.ReadAllText(quota), File.ReadAllText(period));
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>cgroup v2: "max 100000" (no limit) or "150000 100000" (quota, period, in microseconds).</summary>
    public static double? ParseV2(string content)
    {
        string[] parts = content.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // Stryker disable once String : "max" is no number either: Ratio answers null for it all the same
        if (parts.Length != 2 || parts[0] == "max")
        {
            return null;
        }

        return Ratio(parts[0], parts[1]);
    }

    /// <summary>cgroup v1: a quota of -1 means no limit.</summary>
    public static double? ParseV1(string quota, string period) => Ratio(quota.Trim(), period.Trim());

    private static double? Ratio(string quota, string period)
    {
        if (long.TryParse(quota, NumberStyles.Integer, CultureInfo.InvariantCulture, out long q)
            && long.TryParse(period, NumberStyles.Integer, CultureInfo.InvariantCulture, out long p)
            && q > 0 && p > 0)
        {
            return (double)q / p;
        }

        return null;
    }
}
