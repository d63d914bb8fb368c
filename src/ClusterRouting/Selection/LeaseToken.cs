namespace ClusterRouting;

/// <summary>
/// A pooled object that makes a <see cref="MemberLease"/> end once: the lease remembers the token's generation when it
/// is taken, and ending it moves the generation on, so a second dispose (or a stale copy of the lease) finds a
/// different generation and does nothing, even after the token was reused for another lease.
/// </summary>
/// <remarks>
/// Tokens live in a small per-thread stack; batches move to and from a global stack under a lock when a thread runs
/// out or fills up (leases taken on one thread and ended on another, as async code does). The global stack grows to
/// the peak number of leases held at once and no further, so a steady state allocates nothing.
/// </remarks>
internal sealed class LeaseToken
{
    private const int LocalCapacity = 32;
    private const int Batch = LocalCapacity / 2;

    private static readonly Lock s_gate = new();
    private static LeaseToken[] s_global = new LeaseToken[64];
    private static int s_globalCount;

    [ThreadStatic]
    private static LocalCache? t_local;

    public int Generation;

    /// <summary>For a probe lease, the epoch of the probe it took; -1 otherwise. Valid while the generation matches.</summary>
    public int ProbeEpoch;

    public static LeaseToken Rent()
    {
        LocalCache? local = t_local;
        if (local is not null && local.Count > 0)
        {
            return local.Items[--local.Count];
        }

        return RentSlow();
    }

    public static void Return(LeaseToken token)
    {
        LocalCache? local = t_local;
        if (local is not null && local.Count < LocalCapacity)
        {
            local.Items[local.Count++] = token;
            return;
        }

        ReturnSlow(token);
    }

    private static LeaseToken RentSlow()
    {
        LocalCache local = t_local ??= new LocalCache();
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

    private static void ReturnSlow(LeaseToken token)
    {
        LocalCache local = t_local ??= new LocalCache();
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

    private sealed class LocalCache
    {
        public readonly LeaseToken[] Items = new LeaseToken[LocalCapacity];
        public int Count;
    }
}
