namespace ClusterRouting;

/// <summary>
/// One member's state that outlives membership snapshots, split by feature: a member that stays in the cluster keeps
/// the same instance across every change. Selection owns the in-flight slots, health owns the offline penalty and its
/// probe and the slow start, throttling owns the samples, the refusal and the verdict.
/// </summary>
internal sealed class MemberState
{
    private Uri? _address;

    public MemberState(string id)
    {
        Id = id;
        Slots = new MemberSlots(this);
    }

    /// <summary>Gets the member's id, as first spelled.</summary>
    public string Id { get; }

    /// <summary>Gets or sets where the member is reached, if known: set when the member is added or reconfigured.</summary>
    public Uri? Address
    {
        get => Volatile.Read(ref _address);
        set => Volatile.Write(ref _address, value);
    }

    /// <summary>Gets the member's in-flight operations: what selections take and leases give back.</summary>
    public MemberSlots Slots { get; }

    /// <summary>Gets whether the member is online, penalized or probing.</summary>
    public OfflinePenalty Penalty { get; } = new();

    /// <summary>Gets the member's samples, refusal and verdict.</summary>
    public MemberThrottle Throttle { get; } = new();

    /// <summary>Gets the member's slow start: the share it ramps up through after it comes back.</summary>
    public SlowStartRamp SlowStart { get; } = new();
}
