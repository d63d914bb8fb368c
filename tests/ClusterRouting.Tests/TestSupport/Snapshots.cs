namespace ClusterRouting.Tests.TestSupport;

/// <summary>Builds snapshots directly, with a given concurrency limit on every member.</summary>
internal static class Snapshots
{
    public static ClusterSnapshot Create(int memberCount, int concurrencyLimit, SelectionMode mode, params int[] disabled)
    {
        var members = new SnapshotMember[memberCount];
        for (int i = 0; i < memberCount; i++)
        {
            var state = new MemberState($"gw-{i}");
            state.Throttle.Apply_NeedsLock(new MemberVerdict(MemberRejectionReason.None, null, null, concurrencyLimit, MemberRejectionReason.ConcurrencyLimit, null, null, null, null), state.Id, []);
            members[i] = new SnapshotMember(state, null, !disabled.Contains(i), i);
        }

        return new ClusterSnapshot("test", members, mode, new ClusterClock(TimeProvider.System));
    }

    /// <summary>Fills every slot of the member at <paramref name="index"/>.</summary>
    public static void Saturate(ClusterSnapshot snapshot, int index)
    {
        while (snapshot.Members[index].State.Slots.TryAcquire(snapshot.Members[index].Verdict.ConcurrencyLimit, stripe: 0) >= 0)
        {
        }
    }
}
