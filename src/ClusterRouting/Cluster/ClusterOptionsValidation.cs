namespace ClusterRouting;

/// <summary>Checks a cluster's settings and reports every problem at once, each naming the cluster and the field.</summary>
internal static class ClusterOptionsValidation
{
    public static List<string> Validate(string clusterName, ClusterOptions options)
    {
        var errors = new List<string>();
        if (options.Members is null)
        {
            errors.Add($"Cluster '{clusterName}': Members must not be null.");
        }
        else
        {
            var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < options.Members.Count; i++)
            {
                ClusterMemberOptions? member = options.Members[i];
                if (member is null)
                {
                    errors.Add($"Cluster '{clusterName}': Members[{i}] must not be null.");
                    continue;
                }

                if (string.IsNullOrWhiteSpace(member.Id))
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
            }
        }

        if (!Enum.IsDefined(options.Mode))
        {
            errors.Add($"Cluster '{clusterName}': Mode {(int)options.Mode} is not a SelectionMode (Failover, Random or RoundRobin).");
        }

        CheckPercentage(errors, clusterName, nameof(ClusterOptions.CPUUtilizationPercentageThreshold), options.CPUUtilizationPercentageThreshold);
        CheckPercentage(errors, clusterName, nameof(ClusterOptions.MemoryUtilizationPercentageThreshold), options.MemoryUtilizationPercentageThreshold);
        if (options.ResourceUtilizationAggregationTimeInMinutes < 1)
        {
            errors.Add($"Cluster '{clusterName}': ResourceUtilizationAggregationTimeInMinutes must be at least 1 (was {options.ResourceUtilizationAggregationTimeInMinutes}).");
        }

        if (options.ConcurrentOperationLimitPreview < 1)
        {
            errors.Add($"Cluster '{clusterName}': ConcurrentOperationLimitPreview must be at least 1 (was {options.ConcurrentOperationLimitPreview}); set BypassConcurrentOperationLimit to remove the limit.");
        }

        if (options.MemberRefusalCoolDown <= TimeSpan.Zero)
        {
            errors.Add($"Cluster '{clusterName}': MemberRefusalCoolDown must be greater than zero (was {options.MemberRefusalCoolDown}).");
        }

        if (!Enum.IsDefined(options.ThrottlePolicyFailureMode))
        {
            errors.Add($"Cluster '{clusterName}': ThrottlePolicyFailureMode {(int)options.ThrottlePolicyFailureMode} is not FailOpen or FailClosed.");
        }

        if (options.OfflinePenaltyBaseDuration <= TimeSpan.Zero)
        {
            errors.Add($"Cluster '{clusterName}': OfflinePenaltyBaseDuration must be greater than zero (was {options.OfflinePenaltyBaseDuration}).");
        }

        if (options.OfflinePenaltyMaxDuration < options.OfflinePenaltyBaseDuration)
        {
            errors.Add($"Cluster '{clusterName}': OfflinePenaltyMaxDuration must be at least OfflinePenaltyBaseDuration (was {options.OfflinePenaltyMaxDuration}, base {options.OfflinePenaltyBaseDuration}).");
        }

        if (double.IsNaN(options.OfflinePenaltyJitter) || options.OfflinePenaltyJitter < 0 || options.OfflinePenaltyJitter > 1)
        {
            errors.Add($"Cluster '{clusterName}': OfflinePenaltyJitter must be between 0 and 1 (was {options.OfflinePenaltyJitter.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
        }

        if (options.ThrottlePolicies is null)
        {
            errors.Add($"Cluster '{clusterName}': ThrottlePolicies must not be null.");
        }
        else
        {
            for (int i = 0; i < options.ThrottlePolicies.Count; i++)
            {
                if (options.ThrottlePolicies[i] is null)
                {
                    errors.Add($"Cluster '{clusterName}': ThrottlePolicies[{i}] must not be null.");
                }
            }
        }

        return errors;
    }

    private static void CheckPercentage(List<string> errors, string clusterName, string field, double value)
    {
        if (double.IsNaN(value) || value < 0 || value > 100)
        {
            errors.Add($"Cluster '{clusterName}': {field} must be between 0 and 100, where 0 disables it (was {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
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
