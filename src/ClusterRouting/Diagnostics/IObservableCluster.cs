using System.Diagnostics.Metrics;

namespace ClusterRouting;

/// <summary>What the observable instruments read from a cluster when a listener collects them.</summary>
internal interface IObservableCluster
{
    string ClusterName { get; }

    CallbackFailures Failures { get; }

    /// <summary>The cluster's members now, for the per-member observable instruments.</summary>
    SnapshotMember[] ObservedMembers { get; }
}
