namespace ClusterRouting.Tests.Health;

/// <summary>
/// <see cref="OfflinePenaltyTracker"/> on its own: Online --offline--> Penalized --due--> Probing --success--> Online,
/// or --offline--> Penalized for twice as long; what each step returns and which event it queues.
/// </summary>
public class OfflinePenaltyTrackerTests
{
    private static readonly TimeSpan Base = TimeSpan.FromSeconds(5);

    private readonly OfflinePenaltyTracker _tracker = new();
    private readonly MemberState _member = new("gw-0");
    private readonly List<ClusterEvent> _events = [];

    [Fact]
    public void Offline_Online_PenalizesForTheBaseDuration_AndQueuesPenaltyStarted()
    {
        TimeSpan now = TimeSpan.FromSeconds(7);

        Assert.True(_tracker.Offline_NeedsLock(_member, Schedule(), now, _events));

        Assert.Equal(MemberHealth.Penalized, _member.Penalty.Health);
        Assert.Equal(1, _member.Penalty.ConsecutiveOfflineResults);
        Assert.Equal(now + Base, _member.Penalty.PenalizedUntil);
        Assert.False(_member.Penalty.Probe.IsTaken); // open for one primary-only operation
        Assert.Equal([new PenaltyStartedEvent("gw-0", 1, Base)], _events);
    }

    [Fact]
    public void Offline_RepeatedWhilePenalized_DoublesEachTimeUpToTheMax()
    {
        PenaltySchedule schedule = Schedule(max: TimeSpan.FromSeconds(30));

        for (int i = 0; i < 5; i++)
        {
            Assert.True(_tracker.Offline_NeedsLock(_member, schedule, TimeSpan.Zero, _events));
        }

        Assert.Equal(
            [5, 10, 20, 30, 30],
            _events.Cast<PenaltyStartedEvent>().Select(e => e.Penalty.TotalSeconds));
        Assert.Equal([1, 2, 3, 4, 5], _events.Cast<PenaltyStartedEvent>().Select(e => e.ConsecutiveOfflineResults));
        Assert.Equal(TimeSpan.FromSeconds(30), _member.Penalty.PenalizedUntil);
    }

    [Fact]
    public void Advance_BeforeThePenaltyEnds_DoesNothing()
    {
        _tracker.Offline_NeedsLock(_member, Schedule(), TimeSpan.Zero, _events);
        _events.Clear();

        Assert.False(OfflinePenaltyTracker.Advance_NeedsLock(_member, Base - TimeSpan.FromTicks(1), _events));

        Assert.Equal(MemberHealth.Penalized, _member.Penalty.Health);
        Assert.Empty(_events);
    }

    [Fact]
    public void Advance_PenaltyDue_OpensTheProbe_AndQueuesProbeOpened()
    {
        _tracker.Offline_NeedsLock(_member, Schedule(), TimeSpan.Zero, _events);
        _events.Clear();

        Assert.True(OfflinePenaltyTracker.Advance_NeedsLock(_member, Base, _events));

        Assert.Equal(MemberHealth.Probing, _member.Penalty.Health);
        Assert.True(_member.Penalty.Probe.TryTake(out _));
        Assert.Equal([new ProbeOpenedEvent("gw-0")], _events);
    }

    [Fact]
    public void Advance_Online_DoesNothing()
    {
        Assert.False(OfflinePenaltyTracker.Advance_NeedsLock(_member, TimeSpan.FromDays(1), _events));

        Assert.Equal(MemberHealth.Online, _member.Penalty.Health);
        Assert.Empty(_events);
    }

    [Fact]
    public void Advance_AlreadyProbing_QueuesNothingMore()
    {
        _tracker.Offline_NeedsLock(_member, Schedule(), TimeSpan.Zero, _events);
        OfflinePenaltyTracker.Advance_NeedsLock(_member, Base, _events);
        _events.Clear();

        Assert.False(OfflinePenaltyTracker.Advance_NeedsLock(_member, Base + Base, _events));

        Assert.Empty(_events);
    }

    [Fact]
    public void Success_WhileProbing_RestoresTheMember_AndQueuesPenaltyEnded()
    {
        _tracker.Offline_NeedsLock(_member, Schedule(), TimeSpan.Zero, _events);
        OfflinePenaltyTracker.Advance_NeedsLock(_member, Base, _events);
        Assert.True(_member.Penalty.Probe.TryTake(out _));
        _events.Clear();

        Assert.True(OfflinePenaltyTracker.Success_NeedsLock(_member, _events));

        Assert.Equal(MemberHealth.Online, _member.Penalty.Health);
        Assert.Equal(0, _member.Penalty.ConsecutiveOfflineResults);
        Assert.False(_member.Penalty.Probe.IsTaken);
        Assert.Equal([new PenaltyEndedEvent("gw-0")], _events);
    }

    [Fact]
    public void Success_WhilePenalized_RestoresTheMember()
    {
        _tracker.Offline_NeedsLock(_member, Schedule(), TimeSpan.Zero, _events);
        _events.Clear();

        Assert.True(OfflinePenaltyTracker.Success_NeedsLock(_member, _events));

        Assert.True(_member.Penalty.IsClear);
        Assert.Equal([new PenaltyEndedEvent("gw-0")], _events);
    }

    [Fact]
    public void Success_Online_QueuesNothing()
    {
        Assert.False(OfflinePenaltyTracker.Success_NeedsLock(_member, _events));

        Assert.Empty(_events);
        Assert.True(_member.Penalty.IsClear);
    }

    [Fact]
    public void Success_OnlineWithAnUntrackedCount_ClearsTheCount_QueuesNothing()
    {
        _tracker.Offline_NeedsLock(_member, Schedule(track: false), TimeSpan.Zero, _events);

        Assert.False(OfflinePenaltyTracker.Success_NeedsLock(_member, _events));

        Assert.Equal(0, _member.Penalty.ConsecutiveOfflineResults);
        Assert.Empty(_events);
    }

    [Fact]
    public void Offline_WhileProbing_PenalizesAgainForTwiceAsLong()
    {
        PenaltySchedule schedule = Schedule();
        _tracker.Offline_NeedsLock(_member, schedule, TimeSpan.Zero, _events);
        OfflinePenaltyTracker.Advance_NeedsLock(_member, Base, _events);
        Assert.True(_member.Penalty.Probe.TryTake(out _));
        _events.Clear();

        Assert.True(_tracker.Offline_NeedsLock(_member, schedule, Base, _events));

        Assert.Equal(MemberHealth.Penalized, _member.Penalty.Health);
        Assert.Equal(2, _member.Penalty.ConsecutiveOfflineResults);
        Assert.Equal(Base + (2 * Base), _member.Penalty.PenalizedUntil);
        Assert.False(_member.Penalty.Probe.IsTaken);
        Assert.Equal([new PenaltyStartedEvent("gw-0", 2, 2 * Base)], _events);
    }

    [Fact]
    public void Offline_AfterRecovery_StartsAgainFromTheBaseDuration()
    {
        PenaltySchedule schedule = Schedule();
        _tracker.Offline_NeedsLock(_member, schedule, TimeSpan.Zero, _events);
        _tracker.Offline_NeedsLock(_member, schedule, TimeSpan.Zero, _events);
        OfflinePenaltyTracker.Success_NeedsLock(_member, _events);
        _events.Clear();

        _tracker.Offline_NeedsLock(_member, schedule, TimeSpan.FromMinutes(1), _events);

        Assert.Equal([new PenaltyStartedEvent("gw-0", 1, Base)], _events);
    }

    [Fact]
    public void Offline_TrackingOff_OnlyCounts()
    {
        PenaltySchedule schedule = Schedule(track: false);

        Assert.False(_tracker.Offline_NeedsLock(_member, schedule, TimeSpan.Zero, _events));
        Assert.False(_tracker.Offline_NeedsLock(_member, schedule, TimeSpan.Zero, _events));

        Assert.Equal(MemberHealth.Online, _member.Penalty.Health);
        Assert.Equal(2, _member.Penalty.ConsecutiveOfflineResults);
        Assert.Null(_member.Penalty.Deadline);
        Assert.Empty(_events);
    }

    [Fact]
    public void Untrack_Penalized_ClearsTheHealthButKeepsTheCount()
    {
        PenaltySchedule schedule = Schedule();
        _tracker.Offline_NeedsLock(_member, schedule, TimeSpan.Zero, _events);
        _tracker.Offline_NeedsLock(_member, schedule, TimeSpan.Zero, _events);
        _events.Clear();

        Assert.True(OfflinePenaltyTracker.Untrack_NeedsLock(_member));

        Assert.Equal(MemberHealth.Online, _member.Penalty.Health);
        Assert.Equal(2, _member.Penalty.ConsecutiveOfflineResults);
        Assert.Null(_member.Penalty.Deadline);
        Assert.Empty(_events);
    }

    [Fact]
    public void Untrack_Online_SaysNothingChanged()
    {
        Assert.False(OfflinePenaltyTracker.Untrack_NeedsLock(_member));
        Assert.Equal(MemberHealth.Online, _member.Penalty.Health);
    }

    [Fact]
    public void Offline_WithJitter_StaysWithinTheJitterBounds_AndVaries()
    {
        PenaltySchedule schedule = Schedule(jitter: 0.2);
        var penalties = new HashSet<TimeSpan>();

        for (int i = 0; i < 200; i++)
        {
            var member = new MemberState($"gw-{i}");
            var events = new List<ClusterEvent>();
            _tracker.Offline_NeedsLock(member, schedule, TimeSpan.Zero, events);
            TimeSpan penalty = Assert.IsType<PenaltyStartedEvent>(Assert.Single(events)).Penalty;
            Assert.InRange(penalty, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));
            Assert.Equal(penalty, member.Penalty.PenalizedUntil);
            penalties.Add(penalty);
        }

        Assert.True(penalties.Count > 100, $"only {penalties.Count} distinct penalties in 200");
    }

    [Fact]
    public void Offline_PenaltyEndBeyondTheClock_Saturates()
    {
        PenaltySchedule schedule = Schedule(max: TimeSpan.FromDays(1), baseDuration: TimeSpan.FromDays(1));

        Assert.True(_tracker.Offline_NeedsLock(_member, schedule, TimeSpan.MaxValue - TimeSpan.FromHours(1), _events));

        Assert.Equal(TimeSpan.MaxValue, _member.Penalty.PenalizedUntil);
    }

    private static PenaltySchedule Schedule(bool track = true, TimeSpan? max = null, double jitter = 0, TimeSpan? baseDuration = null) =>
        PenaltySchedule.From(new ClusterOptions
        {
            TrackOfflineMembers = track,
            OfflinePenaltyBaseDuration = baseDuration ?? Base,
            OfflinePenaltyMaxDuration = max ?? TimeSpan.FromSeconds(60),
            OfflinePenaltyJitter = jitter,
        });
}
