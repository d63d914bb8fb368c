namespace ClusterRouting;

/// <summary>The state of one member at the moment <see cref="IClusterSelector.GetStatus"/> was called.</summary>
public sealed class MemberStatus
{
    internal MemberStatus(SnapshotMember member)
    {
        Id = member.Id;
        Version = member.Version;
        Enabled = member.Enabled;
        Index = member.Index;
        InFlight = member.State.InFlight;
    }

    /// <summary>Gets the member's id.</summary>
    public string Id { get; }

    /// <summary>Gets the version the member runs, when known.</summary>
    public string? Version { get; }

    /// <summary>Gets a value indicating whether the member may be selected.</summary>
    public bool Enabled { get; }

    /// <summary>Gets the member's position in failover order: 0 is the primary.</summary>
    public int Index { get; }

    /// <summary>Gets a value indicating whether the member is the cluster's primary (the first member).</summary>
    public bool IsPrimary => Index == 0;

    /// <summary>Gets how many leases on the member are not yet disposed.</summary>
    public int InFlight { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Id} (#{Index}{(Enabled ? string.Empty : ", disabled")}, {InFlight} in flight)";
}
