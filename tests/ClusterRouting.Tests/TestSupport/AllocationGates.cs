namespace ClusterRouting.Tests.TestSupport;

/// <summary>
/// Allocation gates run alone: lease tokens come from a process-wide pool, and other tests holding leases on other
/// threads at the same time would make this thread's measurements allocate.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationGates
{
    public const string Name = "Allocation gates";
}
