using ClusterRouting.Soak.Tests.Cluster;

namespace ClusterRouting.Soak.Tests.Invariants;

/// <summary>
/// Checks, ten times a second while the soak runs, what must hold at every moment: no member runs more <c>/work</c>
/// requests at once than its limit (counted by the member's endpoint, inside its limits middleware). It also keeps
/// the largest in-flight counts seen, on the members and in each router's own view.
/// </summary>
internal sealed class InvariantMonitor(IReadOnlyList<SoakMember> members, IReadOnlyList<SoakRouter> routers, Violations violations)
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);
    private readonly HashSet<string> _overLimit = new(StringComparer.Ordinal);

    /// <summary>Gets the most leases any router held on one member at once, as its status said.</summary>
    public int MostRouterInFlight { get; private set; }

    public long Checks { get; private set; }

    public async Task RunAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                Check();
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }

        Check();
    }

    private void Check()
    {
        Checks++;
        foreach (SoakMember member in members)
        {
            int atOnce = member.AtOnce;
            if ((atOnce > member.Limit || member.MostAtOnce > member.Limit) && _overLimit.Add(member.Id))
            {
                violations.Add($"member {member.Id} ran {Math.Max(atOnce, member.MostAtOnce)} requests at once, over its limit of {member.Limit}");
            }
        }

        foreach (SoakRouter router in routers)
        {
            foreach (MemberStatus status in router.Cluster.GetStatus().Members)
            {
                MostRouterInFlight = Math.Max(MostRouterInFlight, status.InFlight);
                if (status.InFlight < 0)
                {
                    violations.Add($"router {router.Name}: member {status.Id} has {status.InFlight} leases in flight");
                }
            }
        }
    }
}
