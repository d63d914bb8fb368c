namespace ClusterRouting;

/// <summary>Limits that come from the gateway cluster documentation.</summary>
public static class ClusterLimits
{
    /// <summary>
    /// The most members a cluster accepts through <see cref="ClusterSelector.AddMember(string, string?, bool)"/>: 10.
    /// A cluster that was set up with more keeps operating, but refuses additions until it is below this number again.
    /// </summary>
    public const int MaxMembers = 10;
}
