namespace ClusterRouting;

/// <summary>
/// A pooled object that makes a <see cref="MemberLease"/> end once: the lease remembers the token's generation when it
/// is taken, and ending it moves the generation on, so a second dispose (or a stale copy of the lease) finds a
/// different generation and does nothing, even after the token was reused for another lease.
/// </summary>
internal sealed class LeaseToken
{
    private const int PoolSize = 64;

    private static readonly LeaseToken?[] s_shared = new LeaseToken?[PoolSize];

    [ThreadStatic]
    private static LeaseToken? t_cached;

    public int Generation;

    public static LeaseToken Rent()
    {
        LeaseToken? token = t_cached;
        if (token is not null)
        {
            t_cached = null;
            return token;
        }

        return RentShared();
    }

    public static void Return(LeaseToken token)
    {
        if (t_cached is null)
        {
            t_cached = token;
            return;
        }

        ReturnShared(token);
    }

    // Leases ended on another thread than the one that took them (async code) cycle through this shared array.
    private static LeaseToken RentShared()
    {
        LeaseToken?[] shared = s_shared;
        for (int i = 0; i < shared.Length; i++)
        {
            LeaseToken? token = Volatile.Read(ref shared[i]);
            if (token is not null && Interlocked.CompareExchange(ref shared[i], null, token) == token)
            {
                return token;
            }
        }

        return new LeaseToken();
    }

    private static void ReturnShared(LeaseToken token)
    {
        LeaseToken?[] shared = s_shared;
        for (int i = 0; i < shared.Length; i++)
        {
            if (Volatile.Read(ref shared[i]) is null && Interlocked.CompareExchange(ref shared[i], token, null) is null)
            {
                return;
            }
        }

        // The pool is full: let the token go to the garbage collector.
    }
}
