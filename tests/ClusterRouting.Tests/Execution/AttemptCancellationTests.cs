namespace ClusterRouting.Tests.Execution;

/// <summary>
/// <see cref="AttemptCancellation"/>: one attempt's source, linked to the caller's token and kept for the thread's next
/// attempt when it ends uncancelled. A kept source must carry nothing of the attempt it served.
/// </summary>
public class AttemptCancellationTests
{
    [Fact]
    public void CallersToken_CancelsTheAttempt()
    {
        using var caller = new CancellationTokenSource();
        AttemptCancellation attempt = AttemptCancellation.Rent(caller.Token);

        caller.Cancel();

        Assert.True(attempt.IsCancellationRequested);
        Assert.True(attempt.Token.IsCancellationRequested);
        attempt.Return();
    }

    [Fact]
    public void Returned_IsKeptForTheThreadsNextAttempt_AndTheFirstCallersTokenNoLongerReachesIt()
    {
        using var firstCaller = new CancellationTokenSource();
        AttemptCancellation first = AttemptCancellation.Rent(firstCaller.Token);
        first.Return();

        AttemptCancellation next = AttemptCancellation.Rent(CancellationToken.None);
        firstCaller.Cancel();

        Assert.Same(first, next);
        Assert.False(next.IsCancellationRequested);
        next.Return();
    }

    [Fact]
    public void Cancelled_IsNotKept()
    {
        AttemptCancellation first = AttemptCancellation.Rent(CancellationToken.None);
        first.Cancel();
        first.Return();

        AttemptCancellation next = AttemptCancellation.Rent(CancellationToken.None);

        Assert.NotSame(first, next);
        Assert.False(next.IsCancellationRequested);
        next.Return();
    }

    [Fact]
    public void StillHeld_IsNotRentedAgain()
    {
        AttemptCancellation held = AttemptCancellation.Rent(CancellationToken.None);

        AttemptCancellation meanwhile = AttemptCancellation.Rent(CancellationToken.None);
        meanwhile.Cancel();                                                // cancelling one attempt ...
        Assert.False(held.IsCancellationRequested);                        // ... leaves the other alone
        meanwhile.Return();
        AttemptCancellation afterwards = AttemptCancellation.Rent(CancellationToken.None);
        held.Return();

        Assert.NotSame(held, meanwhile);
        Assert.NotSame(held, afterwards);
        Assert.NotSame(meanwhile, afterwards);                             // a cancelled one is not reused
        afterwards.Return();
    }
}
