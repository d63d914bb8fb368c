namespace ClusterRouting;

/// <summary>
/// A pooled object that makes a <see cref="MemberLease"/> end once: the lease remembers the token's generation when it
/// is taken, and ending it moves the generation on, so a second dispose (or a stale copy of the lease) finds a
/// different generation and does nothing, even after the token was reused for another lease.
/// </summary>
/// <remarks>
/// Tokens live in a small per-thread stack (<see cref="LeaseThread"/>, which also holds the thread's stripe); batches move to and from a global stack under a lock when a thread runs
/// out or fills up (leases taken on one thread and ended on another, as async code does). The global stack grows to
/// the peak number of leases held at once and no further, so a steady state allocates nothing.
/// </remarks>
internal sealed class LeaseToken
{
    internal const int LocalCapacity = 32;
    private const int Batch = LocalCapacity / 2;

    private static readonly Lock s_gate = new();
    private static LeaseToken[] s_global = new LeaseToken[64];
    private static int s_globalCount;

    public int Generation;

    /// <summary>For a probe lease, the epoch of the probe it took; -1 otherwise. Valid while the generation matches.</summary>
    public int ProbeEpoch;

    /// <summary>The stripe of the member's in-flight count the lease's slot was taken on. Valid while the generation matches.</summary>
    public int Stripe;

    public static LeaseToken Rent(LeaseThread local)
    {
        if (local.Count > 0)
        {
            return local.Items[--local.Count];
        }

        return RentSlow(local);
    }

    public static void Return(LeaseToken token)
    {
        LeaseThread local = LeaseThread.Current;
        if (local.Count < LocalCapacity)
        {
            local.Items[local.Count++] = token;
            return;
        }

        ReturnSlow(local, token);
    }

    private static LeaseToken RentSlow(LeaseThread local)
    {
        lock (s_gate)
        {
            int take = Math.Min(Batch, s_globalCount);
            for (int i = 0; i < take; i++)
            {
                local.Items[local.Count++] = s_global[--s_globalCount];
            }
        }

        return local.Count > 0 ? local.Items[--local.Count] : new LeaseToken();
    }

    private static void ReturnSlow(LeaseThread local, LeaseToken token)
    {
        if (local.Count == LocalCapacity)
        {
            lock (s_gate)
            {
                if (s_globalCount + Batch > s_global.Length)
                {
                    Array.Resize(ref s_global, s_global.Length * 2);
                }

                for (int i = 0; i < Batch; i++)
                {
                    s_global[s_globalCount++] = local.Items[--local.Count];
                }
            }
        }

        local.Items[local.Count++] = token;
    }
}
