namespace ClusterRouting.Tests.TestSupport;

/// <summary>
/// Allocation gates run alone, with no other test running at the same time. GC.GetAllocatedBytesForCurrentThread counts
/// only the measuring thread, and lease tokens are the thread's own (<see cref="LeaseThread"/>), so other tests'
/// allocations and leases do not count; but the clusters measured are created without a meter factory and record to the
/// shared ClusterRouting meter, and a meter records synchronously: a listener another test enables on that meter runs
/// its measurement callback on the measuring thread, where what it allocates is counted as the library's.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationGates
{
    public const string Name = "Allocation gates";
}
