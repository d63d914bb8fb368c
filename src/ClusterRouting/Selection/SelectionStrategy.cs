namespace ClusterRouting;

/// <summary>
/// What a snapshot's selections run: the mode, for <see cref="SelectionMode.Random"/> and
/// <see cref="SelectionMode.RoundRobin"/> whether the eligible members' weights differ, and for
/// <see cref="SelectionMode.LeastLoaded"/> whether their capacities (<see cref="Candidate.Capacity"/>) do. Decided when
/// the snapshot is built, so the hot path makes one switch.
/// </summary>
internal enum SelectionStrategy
{
    Failover = 0,
    Random = 1,
    RoundRobin = 2,
    LeastLoaded = 3,
    WeightedRandom = 4,
    WeightedRoundRobin = 5,

    /// <summary><see cref="SelectionMode.LeastLoaded"/> over members of different capacities: loads compared as cross products, not as in-flight counts.</summary>
    LeastLoadedByCapacity = 6,
}
