using Microsoft.Extensions.Options;

namespace ClusterRouting;

/// <summary>Checks a cluster's settings and reports every problem at once, each naming the cluster and the field.</summary>
internal static class ClusterOptionsValidation
{
    private static readonly ClusterOptionsRangeValidator s_ranges = new();

    public static List<string> Validate(string clusterName, ClusterOptions options)
    {
        var errors = new List<string>();
        ValidateOptionsResult ranges = s_ranges.Validate(clusterName, options);
        if (ranges.Failed)
        {
            foreach (string failure in ranges.Failures)
            {
                errors.Add($"Cluster '{clusterName}': {failure}");
            }
        }

        ValidateMembers(clusterName, options.Members, errors);
        ValidateSettings(clusterName, options, errors);
        ValidatePolicies(clusterName, options.ThrottlePolicies, errors);
        return errors;
    }

    private static void ValidateMembers(string clusterName, IList<ClusterMemberOptions>? members, List<string> errors)
    {
        if (members is null)
        {
            errors.Add($"Cluster '{clusterName}': Members must not be null.");
            return;
        }

        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < members.Count; i++)
        {
            ClusterMemberOptions? member = members[i];
            if (member is null)
            {
                errors.Add($"Cluster '{clusterName}': Members[{i}] must not be null.");
            }
            else if (string.IsNullOrWhiteSpace(member.Id))
            {
                errors.Add($"Cluster '{clusterName}': Members[{i}].Id must not be empty or whitespace.");
            }
            else if (seen.TryGetValue(member.Id, out int first))
            {
                errors.Add($"Cluster '{clusterName}': Members[{i}].Id '{member.Id}' duplicates Members[{first}].Id (member ids are compared ignoring case).");
            }
            else
            {
                seen.Add(member.Id, i);
            }

            if (member is not null && member.Address is Uri address && !IsHttpAddress(address))
            {
                errors.Add($"Cluster '{clusterName}': Members[{i}].Address '{address.OriginalString}' of member '{member.Id}' must be an absolute http or https address.");
            }

            if (member is not null && !MemberWeights.IsValid(member.Weight))
            {
                errors.Add($"Cluster '{clusterName}': Members[{i}].Weight of member '{member.Id}' must be from {MemberWeights.Min} to {MemberWeights.Max} (was {member.Weight}).");
            }
        }
    }

    /// <summary>Whether <paramref name="address"/> is an absolute http or https address, as a member's must be.</summary>
    public static bool IsHttpAddress(Uri address) =>
        address.IsAbsoluteUri && (address.Scheme == Uri.UriSchemeHttp || address.Scheme == Uri.UriSchemeHttps);

    private static void ValidateSettings(string clusterName, ClusterOptions options, List<string> errors)
    {
        if (!Guard.IsDefined(options.Mode))
        {
            errors.Add($"Cluster '{clusterName}': Mode {(int)options.Mode} is not a SelectionMode (Failover, Random, RoundRobin or LeastLoaded).");
        }

        if (options.MemberRefusalCoolDown <= TimeSpan.Zero)
        {
            errors.Add($"Cluster '{clusterName}': MemberRefusalCoolDown must be greater than zero (was {options.MemberRefusalCoolDown}).");
        }

        if (!Guard.IsDefined(options.ThrottlePolicyFailureMode))
        {
            errors.Add($"Cluster '{clusterName}': ThrottlePolicyFailureMode {(int)options.ThrottlePolicyFailureMode} is not FailOpen or FailClosed.");
        }

        if (options.OfflinePenaltyBaseDuration <= TimeSpan.Zero)
        {
            errors.Add($"Cluster '{clusterName}': OfflinePenaltyBaseDuration must be greater than zero (was {options.OfflinePenaltyBaseDuration}).");
        }

        if (options.HedgingDelay < TimeSpan.Zero || options.HedgingDelay > TimeMath.MaxTimerWait)
        {
            errors.Add($"Cluster '{clusterName}': HedgingDelay must be from 0 to {TimeMath.MaxTimerWait} (was {options.HedgingDelay}).");
        }

        if (options.SlowStartWindow < TimeSpan.Zero)
        {
            errors.Add($"Cluster '{clusterName}': SlowStartWindow must not be negative (was {options.SlowStartWindow}).");
        }

        if (options.OfflinePenaltyMaxDuration < options.OfflinePenaltyBaseDuration)
        {
            errors.Add($"Cluster '{clusterName}': OfflinePenaltyMaxDuration must be at least OfflinePenaltyBaseDuration (was {options.OfflinePenaltyMaxDuration}, base {options.OfflinePenaltyBaseDuration}).");
        }
    }

    private static void ValidatePolicies(string clusterName, IList<ThrottlePolicy>? policies, List<string> errors)
    {
        if (policies is null)
        {
            errors.Add($"Cluster '{clusterName}': ThrottlePolicies must not be null.");
            return;
        }

        for (int i = 0; i < policies.Count; i++)
        {
            if (policies[i] is null)
            {
                errors.Add($"Cluster '{clusterName}': ThrottlePolicies[{i}] must not be null.");
            }
        }
    }

    public static void ThrowIfInvalid(string clusterName, ClusterOptions options, string paramName)
    {
        List<string> errors = Validate(clusterName, options);
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, errors), paramName);
        }
    }
}
