using System.Runtime.CompilerServices;

namespace ClusterRouting;

/// <summary>What a thread keeps for its selections: its stripe and its stack of lease tokens. One thread-static read gets both.</summary>
internal sealed class LeaseThread
{
    [ThreadStatic]
    private static LeaseThread? t_current;

    public readonly LeaseToken[] Items = new LeaseToken[LeaseToken.LocalCapacity];

    /// <summary>The thread's stripe (<see cref="Stripes"/>), dealt when the thread first selects and kept for its lifetime.</summary>
    public readonly int Stripe = Stripes.NextForThread();

    public int Count;

    public static LeaseThread Current => t_current ?? Create();

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static LeaseThread Create() => t_current = new LeaseThread();
}
