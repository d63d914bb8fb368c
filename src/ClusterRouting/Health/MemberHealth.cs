namespace ClusterRouting;

/// <summary>Whether a member is known to be online, as far as the cluster can tell from the outcomes reported to it.</summary>
public enum MemberHealth
{
    /// <summary>No recent attempt on the member failed because it was offline.</summary>
    Online = 0,

    /// <summary>
    /// The member proved offline and is penalized: it is tried only after every eligible member that is not penalized,
    /// until the penalty ends.
    /// </summary>
    Penalized = 1,

    /// <summary>
    /// The penalty ended: one operation at a time (the probe) goes to the member. A success restores it to
    /// <see cref="Online"/>; an offline result penalizes it again, for longer.
    /// </summary>
    Probing = 2,
}
