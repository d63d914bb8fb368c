namespace ClusterRouting.Tests.Health;

/// <summary>
/// <see cref="ProbeGate"/> on its own: one probe at a time, opened in a new epoch for each penalty that ends, so that a
/// lease from an earlier probe can never reopen a later one.
/// </summary>
public class ProbeGateTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void TryTake_NewGate_IsClosed()
    {
        var gate = new ProbeGate();

        Assert.False(gate.TryTake(out _));
        Assert.False(gate.IsTaken);
    }

    [Fact]
    public void TryTake_Open_TakesItOnce()
    {
        var gate = new ProbeGate();
        gate.Open_NeedsLock();

        Assert.True(gate.TryTake(out int epoch));
        Assert.True(gate.IsTaken);
        Assert.False(gate.TryTake(out _));
        Assert.True(gate.IsTaken);
        Assert.Equal(1, epoch);
    }

    [Fact]
    public void Open_EachTime_StartsANewEpoch()
    {
        var gate = new ProbeGate();
        var epochs = new List<int>();
        for (int i = 0; i < 5; i++)
        {
            gate.Open_NeedsLock();
            Assert.True(gate.TryTake(out int epoch));
            epochs.Add(epoch);
            gate.Close_NeedsLock();
        }

        Assert.Equal([1, 2, 3, 4, 5], epochs);
    }

    [Fact]
    public void Return_CurrentEpoch_ReopensTheProbe()
    {
        var gate = new ProbeGate();
        gate.Open_NeedsLock();
        Assert.True(gate.TryTake(out int epoch));

        gate.Return(epoch);

        Assert.False(gate.IsTaken);
        Assert.True(gate.TryTake(out int again));
        Assert.Equal(epoch, again);
    }

    [Fact]
    public void Return_StaleEpoch_LeavesTheLaterProbeTaken()
    {
        var gate = new ProbeGate();
        gate.Open_NeedsLock();
        Assert.True(gate.TryTake(out int stale));
        gate.Close_NeedsLock(); // penalized again
        gate.Open_NeedsLock(); // the next penalty ended
        Assert.True(gate.TryTake(out int current));

        gate.Return(stale);

        Assert.NotEqual(stale, current);
        Assert.True(gate.IsTaken);
        Assert.False(gate.TryTake(out _));
    }

    [Fact]
    public void Return_StaleEpochWhileTheLaterProbeIsOpen_LeavesItOpenOnce()
    {
        var gate = new ProbeGate();
        gate.Open_NeedsLock();
        Assert.True(gate.TryTake(out int stale));
        gate.Close_NeedsLock();
        gate.Open_NeedsLock();

        gate.Return(stale);

        Assert.True(gate.TryTake(out int current));
        Assert.Equal(stale + 1, current);
        Assert.False(gate.TryTake(out _));
    }

    [Fact]
    public void Return_AfterClose_DoesNothing()
    {
        var gate = new ProbeGate();
        gate.Open_NeedsLock();
        Assert.True(gate.TryTake(out int epoch));
        gate.Close_NeedsLock(); // the member is online again, or penalized again

        gate.Return(epoch);

        Assert.False(gate.IsTaken);
        Assert.False(gate.TryTake(out _));
    }

    [Fact]
    public void Return_ProbeNotTaken_DoesNothing()
    {
        var gate = new ProbeGate();
        gate.Open_NeedsLock();

        gate.Return(1);

        Assert.True(gate.TryTake(out _));
        Assert.False(gate.TryTake(out _));
    }

    [Fact]
    public void Close_WhileTaken_IsNotTakenAnyMore()
    {
        var gate = new ProbeGate();
        gate.Open_NeedsLock();
        Assert.True(gate.TryTake(out _));

        gate.Close_NeedsLock();

        Assert.False(gate.IsTaken);
        Assert.False(gate.TryTake(out _));
    }

    [Fact]
    public void Open_WhileTaken_StartsAFreshProbe()
    {
        var gate = new ProbeGate();
        gate.Open_NeedsLock();
        Assert.True(gate.TryTake(out int first));

        gate.Open_NeedsLock();

        Assert.False(gate.IsTaken);
        Assert.True(gate.TryTake(out int second));
        Assert.Equal(first + 1, second);
    }

    [Fact]
    public async Task TryTake_ManyThreadsAtOnce_ExactlyOneWinsEachTime()
    {
        const int Threads = 4;
        const int Rounds = 300;
        var gate = new ProbeGate();
        int winners = 0;
        var winnersPerRound = new List<int>();

        // The post-phase action runs alone between rounds: it records the round that ended and opens the next probe.
        using var barrier = new Barrier(Threads, _ =>
        {
            winnersPerRound.Add(Interlocked.Exchange(ref winners, 0));
            gate.Open_NeedsLock();
        });

        Task[] racers = Enumerable.Range(0, Threads).Select(_ => Task.Factory.StartNew(
            () =>
            {
                for (int round = 0; round < Rounds; round++)
                {
                    if (!barrier.SignalAndWait(Patience))
                    {
                        throw new TimeoutException("a racer did not reach the barrier");
                    }

                    if (gate.TryTake(out _))
                    {
                        Interlocked.Increment(ref winners);
                    }
                }

                barrier.SignalAndWait(Patience);
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();

        await Task.WhenAll(racers).WaitAsync(TimeSpan.FromSeconds(60));

        // The first entry is the round before the first: nobody raced.
        Assert.Equal(Rounds + 1, winnersPerRound.Count);
        Assert.Equal(0, winnersPerRound[0]);
        Assert.All(winnersPerRound.Skip(1), w => Assert.Equal(1, w));
    }

    /// <summary>
    /// The epoch wraps within 27 bits (ProbeGate.MaxEpoch, so that it fits in a Pick), so after 2^27 penalties the probe
    /// is still a probe: an epoch that went negative read as "no probe" (-1) to the lease, which then never gave the
    /// probe back.
    /// </summary>
    [Fact]
    public void Open_After2To27Openings_TheEpochWrapsToZero_AndTheProbeWorks()
    {
        var gate = new ProbeGate();
        Assert.Equal((1 << 27) - 1, ProbeGate.MaxEpoch);
        for (int i = 0; i < ProbeGate.MaxEpoch; i++)
        {
            gate.Open_NeedsLock();
        }

        Assert.True(gate.TryTake(out int last));
        Assert.Equal(ProbeGate.MaxEpoch, last);
        gate.Open_NeedsLock();

        Assert.True(gate.TryTake(out int wrapped));
        Assert.Equal(0, wrapped);
        gate.Return(wrapped);
        Assert.False(gate.IsTaken);
    }
}
