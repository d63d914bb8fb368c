namespace ClusterRouting.Soak.Tests.Faults;

/// <summary>The faults that live in user code handed to the library: a throw policy and a logger, each switched on and off by the schedule.</summary>
internal sealed class FaultSwitches
{
    private int _policyThrows;
    private int _loggerThrows;
    private long _policyThrown;
    private long _loggerThrown;

    public bool PolicyThrows
    {
        get => Volatile.Read(ref _policyThrows) != 0;
        set => Volatile.Write(ref _policyThrows, value ? 1 : 0);
    }

    public bool LoggerThrows
    {
        get => Volatile.Read(ref _loggerThrows) != 0;
        set => Volatile.Write(ref _loggerThrows, value ? 1 : 0);
    }

    /// <summary>Gets how many times the policy threw.</summary>
    public long PolicyThrown => Interlocked.Read(ref _policyThrown);

    /// <summary>Gets how many times a logger threw.</summary>
    public long LoggerThrown => Interlocked.Read(ref _loggerThrown);

    public void CountPolicyThrow() => Interlocked.Increment(ref _policyThrown);

    public void CountLoggerThrow() => Interlocked.Increment(ref _loggerThrown);
}
