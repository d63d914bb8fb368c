namespace ClusterRouting;

/// <summary>Why a member did not take an operation.</summary>
public enum MemberRejectionReason
{
    /// <summary>The member was not rejected.</summary>
    None = 0,

    /// <summary>An admin disabled the member; it is never selected.</summary>
    Disabled = 1,

    /// <summary>The member had as many operations in flight as its concurrent-operation limit allows.</summary>
    ConcurrencyLimit = 2,
}
