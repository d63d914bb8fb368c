namespace ClusterRouting;

/// <summary>Records in the service collection that a throttle policy was added to a cluster, so that an unknown cluster name fails at start.</summary>
internal sealed class ThrottlePolicyRegistration(string clusterName, Type policyType)
{
    public string ClusterName { get; } = clusterName;

    public Type PolicyType { get; } = policyType;
}
