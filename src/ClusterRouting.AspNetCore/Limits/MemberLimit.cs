namespace ClusterRouting.AspNetCore;

/// <summary>Which of its limits a member is at or over; the order is the order in which they are checked.</summary>
internal enum MemberLimit
{
    None = 0,
    Cpu = 1,
    Memory = 2,
    Concurrency = 3,
}
