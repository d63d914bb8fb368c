namespace ClusterRouting;

/// <summary>Why a member did not take an operation.</summary>
public enum MemberRejectionReason
{
    /// <summary>The member was not rejected.</summary>
    None = 0,

    /// <summary>An admin disabled the member; it is never selected.</summary>
    Disabled = 1,

    /// <summary>The member had as many operations in flight as its concurrent-operation limit allows, or refused an operation for its concurrency limit.</summary>
    ConcurrencyLimit = 2,

    /// <summary>The member's average CPU utilization is at or over the threshold, or the member refused an operation for its CPU limit.</summary>
    CpuLimit = 3,

    /// <summary>The member's average memory utilization is at or over the threshold, or the member refused an operation for its memory limit.</summary>
    MemoryLimit = 4,

    /// <summary>A custom <see cref="ThrottlePolicy"/> throttled the member; <see cref="MemberRejection.PolicyName"/> names it.</summary>
    PolicyLimit = 5,

    /// <summary>
    /// The member's offline penalty ended and its single probe operation is still out: no other operation goes to it
    /// until the probe's outcome is known.
    /// </summary>
    Probing = 6,

    /// <summary>
    /// The member proved offline and is penalized, and the one primary-only operation it admits while penalized (its
    /// probe) is still out: reported to primary-only selections, with when the penalty ends.
    /// </summary>
    Offline = 7,
}
