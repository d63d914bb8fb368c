namespace ClusterRouting;

/// <summary>Records in the service collection that a cluster of this name was added.</summary>
internal sealed class ClusterRegistration(string name)
{
    public string Name { get; } = name;
}
