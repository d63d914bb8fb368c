namespace ClusterRouting.Tests.Health;

/// <summary>
/// <see cref="OfflinePenalty"/> on its own: one member's health, count of offline results in a row, penalty end and
/// probe. (The public behaviour of offline tracking is in <see cref="OfflinePenaltyTests"/>.)
/// </summary>
public class OfflinePenaltyStateTests
{
    private static readonly TimeSpan Until = TimeSpan.FromSeconds(15);

    [Fact]
    public void New_IsOnlineAndClear()
    {
        var penalty = new OfflinePenalty();

        Assert.Equal(MemberHealth.Online, penalty.Health);
        Assert.Equal(0, penalty.ConsecutiveOfflineResults);
        Assert.True(penalty.IsClear);
        Assert.Null(penalty.Deadline);
        Assert.False(penalty.Probe.TryTake(out _));
    }

    [Fact]
    public void CountOffline_CountsWithoutPenalizing()
    {
        var penalty = new OfflinePenalty();

        penalty.CountOffline_NeedsLock();
        penalty.CountOffline_NeedsLock();

        Assert.Equal(MemberHealth.Online, penalty.Health);
        Assert.Equal(2, penalty.ConsecutiveOfflineResults);
        Assert.False(penalty.IsClear);
        Assert.Null(penalty.Deadline);
    }

    [Fact]
    public void Penalize_Online_CountsAndPenalizesUntilTheGivenMoment()
    {
        var penalty = new OfflinePenalty();

        penalty.Penalize_NeedsLock(Until);

        Assert.Equal(MemberHealth.Penalized, penalty.Health);
        Assert.Equal(1, penalty.ConsecutiveOfflineResults);
        Assert.Equal(Until, penalty.PenalizedUntil);
        Assert.Equal(Until, penalty.Deadline);
        Assert.False(penalty.IsClear);

        // One probe, for primary-only work: a penalized primary takes one such operation at a time.
        Assert.True(penalty.Probe.TryTake(out _));
        Assert.False(penalty.Probe.TryTake(out _));
    }

    [Fact]
    public void Penalize_WhileTheProbeIsOut_OpensANewProbe_TheLateReturnOfTheOldOneChangesNothing()
    {
        OfflinePenalty penalty = Probing();
        Assert.True(penalty.Probe.TryTake(out int epoch));

        penalty.Penalize_NeedsLock(TimeSpan.FromSeconds(40));

        Assert.Equal(MemberHealth.Penalized, penalty.Health);
        Assert.Equal(2, penalty.ConsecutiveOfflineResults);
        Assert.False(penalty.Probe.IsTaken);
        Assert.True(penalty.Probe.TryTake(out int next));
        Assert.NotEqual(epoch, next);
        penalty.Probe.Return(epoch); // the old probe lease ends late: the new probe stays out
        Assert.True(penalty.Probe.IsTaken);
        Assert.False(penalty.Probe.TryTake(out _));
    }

    [Fact]
    public void EndIfDue_BeforeTheEnd_KeepsThePenalty()
    {
        var penalty = new OfflinePenalty();
        penalty.Penalize_NeedsLock(Until);

        Assert.True(penalty.Probe.TryTake(out _));

        Assert.False(penalty.EndIfDue_NeedsLock(Until - TimeSpan.FromTicks(1)));

        Assert.Equal(MemberHealth.Penalized, penalty.Health);
        Assert.True(penalty.Probe.IsTaken);
    }

    [Fact]
    public void EndIfDue_WhileAPrimaryOnlyProbeIsOut_KeepsThatProbeAsTheOnlyOne()
    {
        var penalty = new OfflinePenalty();
        penalty.Penalize_NeedsLock(Until);
        Assert.True(penalty.Probe.TryTake(out int epoch));

        Assert.True(penalty.EndIfDue_NeedsLock(Until));

        Assert.Equal(MemberHealth.Probing, penalty.Health);
        Assert.False(penalty.Probe.TryTake(out _));
        penalty.Probe.Return(epoch);
        Assert.True(penalty.Probe.TryTake(out _));
    }

    [Fact]
    public void EndIfDue_AtTheEnd_ProbesTheMember()
    {
        var penalty = new OfflinePenalty();
        penalty.Penalize_NeedsLock(Until);

        Assert.True(penalty.EndIfDue_NeedsLock(Until));

        Assert.Equal(MemberHealth.Probing, penalty.Health);
        Assert.Null(penalty.Deadline);
        Assert.Equal(1, penalty.ConsecutiveOfflineResults);
        Assert.True(penalty.Probe.TryTake(out _));
    }

    [Fact]
    public void EndIfDue_Online_DoesNothing()
    {
        var penalty = new OfflinePenalty();

        Assert.False(penalty.EndIfDue_NeedsLock(TimeSpan.FromDays(1)));

        Assert.Equal(MemberHealth.Online, penalty.Health);
        Assert.False(penalty.Probe.TryTake(out _));
    }

    [Fact]
    public void EndIfDue_AlreadyProbing_DoesNotReopenTheProbe()
    {
        OfflinePenalty penalty = Probing();
        Assert.True(penalty.Probe.TryTake(out _));

        Assert.False(penalty.EndIfDue_NeedsLock(TimeSpan.FromDays(1)));

        Assert.True(penalty.Probe.IsTaken);
        Assert.False(penalty.Probe.TryTake(out _));
    }

    [Fact]
    public void Restore_Penalized_IsOnlineWithTheCountCleared()
    {
        var penalty = new OfflinePenalty();
        penalty.Penalize_NeedsLock(Until);

        Assert.True(penalty.Restore_NeedsLock());

        Assert.Equal(MemberHealth.Online, penalty.Health);
        Assert.Equal(0, penalty.ConsecutiveOfflineResults);
        Assert.True(penalty.IsClear);
        Assert.Null(penalty.Deadline);
    }

    [Fact]
    public void Restore_Probing_ClosesTheProbe()
    {
        OfflinePenalty penalty = Probing();
        Assert.True(penalty.Probe.TryTake(out _));

        Assert.True(penalty.Restore_NeedsLock());

        Assert.False(penalty.Probe.IsTaken);
        Assert.False(penalty.Probe.TryTake(out _));
        Assert.True(penalty.IsClear);
    }

    [Fact]
    public void Restore_OnlineWithACount_ClearsTheCountButSaysItWasNotOut()
    {
        var penalty = new OfflinePenalty();
        penalty.CountOffline_NeedsLock();

        Assert.False(penalty.Restore_NeedsLock());

        Assert.Equal(0, penalty.ConsecutiveOfflineResults);
        Assert.True(penalty.IsClear);
    }

    [Fact]
    public void Clear_Probing_IsOnlineButKeepsTheCount()
    {
        OfflinePenalty penalty = Probing();
        penalty.Penalize_NeedsLock(TimeSpan.FromSeconds(40)); // 2 in a row

        Assert.True(penalty.Clear_NeedsLock());

        Assert.Equal(MemberHealth.Online, penalty.Health);
        Assert.Equal(2, penalty.ConsecutiveOfflineResults);
        Assert.False(penalty.IsClear);
        Assert.Null(penalty.Deadline);
        Assert.False(penalty.Probe.TryTake(out _));
    }

    [Fact]
    public void Clear_Online_SaysItWasNotOut()
    {
        var penalty = new OfflinePenalty();

        Assert.False(penalty.Clear_NeedsLock());
        Assert.Equal(MemberHealth.Online, penalty.Health);
    }

    private static OfflinePenalty Probing()
    {
        var penalty = new OfflinePenalty();
        penalty.Penalize_NeedsLock(Until);
        Assert.True(penalty.EndIfDue_NeedsLock(Until));
        return penalty;
    }
}
