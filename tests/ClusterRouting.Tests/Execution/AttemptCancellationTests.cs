namespace ClusterRouting.Tests.Execution;

/// <summary>
/// <see cref="AttemptCancellation"/>: one attempt's source, linked to the caller's token and kept by the thread for its
/// next attempt when it ends uncancelled. A kept source must carry nothing of the attempt it served, and is never
/// rented twice at once.
/// </summary>
public class AttemptCancellationTests
{
    [Fact]
    public void CallersToken_CancelsTheAttempt()
    {
        using var caller = new CancellationTokenSource();
        AttemptCancellation attempt = AttemptCancellation.Rent(LeaseThread.Current, caller.Token);

        caller.Cancel();

        Assert.True(attempt.IsCancellationRequested);
        Assert.True(attempt.Token.IsCancellationRequested);
        attempt.Return();
    }

    [Fact]
    public void Returned_IsKeptForTheThreadsNextAttempt_AndTheFirstCallersTokenNoLongerReachesIt()
    {
        using var firstCaller = new CancellationTokenSource();
        AttemptCancellation first = AttemptCancellation.Rent(LeaseThread.Current, firstCaller.Token);
        first.Return();

        AttemptCancellation next = AttemptCancellation.Rent(LeaseThread.Current, CancellationToken.None);
        firstCaller.Cancel();

        Assert.Same(first, next);
        Assert.False(next.IsCancellationRequested);
        next.Return();
    }

    [Fact]
    public void Cancelled_IsNotKept()
    {
        AttemptCancellation first = AttemptCancellation.Rent(LeaseThread.Current, CancellationToken.None);
        first.Cancel();
        first.Return();

        AttemptCancellation next = AttemptCancellation.Rent(LeaseThread.Current, CancellationToken.None);

        Assert.NotSame(first, next);
        Assert.False(next.IsCancellationRequested);
        Assert.Throws<ObjectDisposedException>(() => first.Token);        // dropped, and disposed
        next.Return();
    }

    [Fact]
    public void StillHeld_IsNotRentedAgain_TheNewSourceIsKeptInstead()
    {
        AttemptCancellation held = AttemptCancellation.Rent(LeaseThread.Current, CancellationToken.None);

        AttemptCancellation meanwhile = AttemptCancellation.Rent(LeaseThread.Current, CancellationToken.None);
        meanwhile.Cancel();                                                // cancelling one attempt ...
        Assert.False(held.IsCancellationRequested);                        // ... leaves the other alone
        meanwhile.Return();
        AttemptCancellation afterwards = AttemptCancellation.Rent(LeaseThread.Current, CancellationToken.None);
        held.Return();

        Assert.NotSame(held, meanwhile);
        Assert.NotSame(held, afterwards);                                  // the held one was no longer the kept one
        Assert.NotSame(meanwhile, afterwards);                             // and a cancelled one is not reused
        Assert.Same(afterwards, RentAndReturnAgain(afterwards));
    }

    [Fact]
    public void ReturnedOnAnotherThread_IsRentedAgainByTheThreadThatKeepsIt()
    {
        AttemptCancellation first = AttemptCancellation.Rent(LeaseThread.Current, CancellationToken.None);

        // Joined rather than awaited, so that no other test runs on this thread (and rents its source) meanwhile.
        var other = new Thread(first.Return);
        other.Start();
        other.Join();

        AttemptCancellation next = AttemptCancellation.Rent(LeaseThread.Current, CancellationToken.None);
        Assert.Same(first, next);
        next.Return();
    }

    private static AttemptCancellation RentAndReturnAgain(AttemptCancellation current)
    {
        current.Return();
        AttemptCancellation next = AttemptCancellation.Rent(LeaseThread.Current, CancellationToken.None);
        next.Return();
        return next;
    }
}
