namespace ClusterRouting;

/// <summary>
/// Decides whether a member may take operations. The built-in CPU, memory and concurrency limits are implementations
/// of this class; add your own through <see cref="ClusterOptions.ThrottlePolicies"/>.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Evaluate"/> never runs on the selection hot path. It runs when something it may depend on changes:
/// a utilization sample arrives for the member, samples leave the aggregation window, or the cluster's settings
/// change. Its decision is folded into the cluster's snapshot, and selections read that.
/// </para>
/// <para>
/// A decision that throttles the member makes selections skip it until the next evaluation. A decision that limits
/// concurrency is enforced by every selection, atomically, against the member's count of operations in flight;
/// the smallest limit of all policies applies.
/// </para>
/// <para>
/// <see cref="Evaluate"/> is called under the cluster's write lock, one call at a time per cluster. If it throws, the
/// cluster logs and counts the failure and applies <see cref="ClusterOptions.ThrottlePolicyFailureMode"/>.
/// </para>
/// </remarks>
public abstract class ThrottlePolicy
{
    /// <summary>Gets the policy's name, used in failures, logs and error messages.</summary>
    public abstract string Name { get; }

    /// <summary>Gets the kind of limit the policy enforces, which selects the error message when it stops every member.</summary>
    public virtual ThrottleLimitKind Kind => ThrottleLimitKind.Custom;

    /// <summary>Decides whether the member may take operations.</summary>
    /// <param name="load">The member's aggregated utilization and operations in flight.</param>
    /// <returns>The decision.</returns>
    public abstract ThrottleDecision Evaluate(in MemberLoad load);
}
