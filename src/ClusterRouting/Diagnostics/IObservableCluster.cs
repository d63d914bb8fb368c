using System.Diagnostics.Metrics;

namespace ClusterRouting;

/// <summary>What the observable instruments read from a cluster when a listener collects them.</summary>
internal interface IObservableCluster
{
    string ClusterName { get; }

    CallbackFailures Failures { get; }

    /// <summary>Adds one measurement per member: its leases not yet disposed, tagged with the cluster and the member.</summary>
    void ObserveInFlight(List<Measurement<long>> measurements);
}
