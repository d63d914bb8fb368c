namespace ClusterRouting.Tests.TestSupport;

/// <summary>Builds snapshots directly, to test the per-selection concurrency check before the throttling settings exist.</summary>
internal static class Snapshots
{
    public static ClusterSnapshot Create(int memberCount, int concurrencyLimit, SelectionMode mode, params int[] disabled)
    {
        var members = new SnapshotMember[memberCount];
        for (int i = 0; i < memberCount; i++)
        {
            members[i] = new SnapshotMember(new MemberState($"gw-{i}"), null, !disabled.Contains(i), i);
        }

        return new ClusterSnapshot("test", members, mode, concurrencyLimit);
    }

    /// <summary>Fills every slot of the member at <paramref name="index"/>.</summary>
    public static void Saturate(ClusterSnapshot snapshot, int index)
    {
        while (snapshot.Members[index].State.TryAcquire(snapshot.ConcurrencyLimit))
        {
        }
    }
}
