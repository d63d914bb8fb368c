namespace ClusterRouting.Tests.Throttling;

/// <summary>
/// <see cref="MemberThrottle"/> on its own: its samples and refusal, and <see cref="MemberThrottle.Apply_NeedsLock"/>,
/// which stores every new verdict but says "republish" only when selections would route differently, and queues
/// MemberThrottled / MemberUnthrottled only when the rejection changed.
/// </summary>
public class MemberThrottleTests
{
    private const string Member = "gw-0";

    private readonly MemberThrottle _throttle = new();
    private readonly List<ClusterEvent> _events = [];

    [Fact]
    public void New_IsUnrestricted_WithNoSamplesAndNoRefusal()
    {
        Assert.Same(MemberVerdict.Unrestricted, _throttle.Verdict);
        Assert.Null(_throttle.Utilization);
        Assert.Equal(TimeSpan.Zero, _throttle.RefusedUntil);
    }

    [Fact]
    public void AddSample_First_CreatesTheWindow_ResetWindowDropsIt()
    {
        _throttle.AddSample_NeedsLock(TimeSpan.FromSeconds(1), 40, 50, TimeSpan.FromMinutes(1));
        UtilizationWindow window = Assert.IsType<UtilizationWindow>(_throttle.Utilization);
        _throttle.AddSample_NeedsLock(TimeSpan.FromSeconds(2), 60, 70, TimeSpan.FromMinutes(1));

        Assert.Same(window, _throttle.Utilization);
        Assert.Equal(new UtilizationWindow.Aggregate(50, 60, 2, TimeSpan.FromSeconds(61)), window.Compute(TimeSpan.FromSeconds(2)));

        _throttle.ResetWindow_NeedsLock();

        Assert.Null(_throttle.Utilization);
    }

    [Fact]
    public void Refuse_RecordsTheLimitAndTheEnd()
    {
        _throttle.Refuse_NeedsLock(ThrottleLimitKind.Memory, TimeSpan.FromSeconds(30));

        Assert.Equal(ThrottleLimitKind.Memory, _throttle.RefusedFor);
        Assert.Equal(TimeSpan.FromSeconds(30), _throttle.RefusedUntil);
    }

    [Fact]
    public void Apply_EqualVerdict_ChangesNothing()
    {
        MemberVerdict first = Verdict(MemberRejectionReason.CpuLimit, cpu: 90);
        _throttle.Apply_NeedsLock(first, Member, _events);
        _events.Clear();

        Assert.False(_throttle.Apply_NeedsLock(Verdict(MemberRejectionReason.CpuLimit, cpu: 90), Member, _events));

        Assert.Same(first, _throttle.Verdict);
        Assert.Empty(_events);
    }

    [Fact]
    public void Apply_NowThrottled_RoutesDifferently_AndQueuesMemberThrottled()
    {
        MemberVerdict throttled = Verdict(MemberRejectionReason.CpuLimit, cpu: 90);

        Assert.True(_throttle.Apply_NeedsLock(throttled, Member, _events));

        Assert.Same(throttled, _throttle.Verdict);
        Assert.Equal([new MemberThrottledEvent(Member, MemberRejectionReason.CpuLimit)], _events);
    }

    [Fact]
    public void Apply_NoLongerThrottled_QueuesMemberUnthrottled()
    {
        _throttle.Apply_NeedsLock(Verdict(MemberRejectionReason.MemoryLimit), Member, _events);
        _events.Clear();

        Assert.True(_throttle.Apply_NeedsLock(Verdict(MemberRejectionReason.None), Member, _events));

        Assert.Equal([new MemberUnthrottledEvent(Member)], _events);
    }

    [Fact]
    public void Apply_ThrottledForAnotherReason_QueuesMemberThrottledWithTheNewReason()
    {
        _throttle.Apply_NeedsLock(Verdict(MemberRejectionReason.CpuLimit), Member, _events);
        _events.Clear();

        Assert.True(_throttle.Apply_NeedsLock(Verdict(MemberRejectionReason.MemoryLimit), Member, _events));

        Assert.Equal([new MemberThrottledEvent(Member, MemberRejectionReason.MemoryLimit)], _events);
    }

    [Fact]
    public void Apply_OnlyTheLoadsChanged_StoresTheVerdict_ButNeedsNoRepublish()
    {
        _throttle.Apply_NeedsLock(Verdict(MemberRejectionReason.None, cpu: 40, memory: 10), Member, _events);
        _events.Clear();
        MemberVerdict loadsOnly = Verdict(MemberRejectionReason.None, cpu: 45, memory: 12);

        Assert.False(_throttle.Apply_NeedsLock(loadsOnly, Member, _events));

        Assert.Same(loadsOnly, _throttle.Verdict);
        Assert.Empty(_events);
    }

    [Fact]
    public void Apply_OnlyTheDeadlineChanged_StoresTheVerdict_ButNeedsNoRepublish()
    {
        _throttle.Apply_NeedsLock(Verdict(MemberRejectionReason.None, deadline: TimeSpan.FromMinutes(5)), Member, _events);
        MemberVerdict later = Verdict(MemberRejectionReason.None, deadline: TimeSpan.FromMinutes(6));

        Assert.False(_throttle.Apply_NeedsLock(later, Member, _events));

        Assert.Same(later, _throttle.Verdict);
    }

    [Fact]
    public void Apply_ConcurrencyLimitChanged_RoutesDifferently_WithoutAnEvent()
    {
        _throttle.Apply_NeedsLock(Verdict(MemberRejectionReason.None, limit: 40), Member, _events);
        _events.Clear();

        Assert.True(_throttle.Apply_NeedsLock(Verdict(MemberRejectionReason.None, limit: 5), Member, _events));

        Assert.Equal(5, _throttle.Verdict.ConcurrencyLimit);
        Assert.Empty(_events);
    }

    [Fact]
    public void Apply_SameRejectionByAnotherPolicy_RoutesDifferently_WithoutAnEvent()
    {
        _throttle.Apply_NeedsLock(Verdict(MemberRejectionReason.PolicyLimit, rejectedBy: "a"), Member, _events);
        _events.Clear();

        Assert.True(_throttle.Apply_NeedsLock(Verdict(MemberRejectionReason.PolicyLimit, rejectedBy: "b"), Member, _events));

        Assert.Equal("b", _throttle.Verdict.RejectedBy);
        Assert.Empty(_events);
    }

    [Fact]
    public void Apply_SameRejectionWithAnotherRetry_RoutesDifferently_WithoutAnEvent()
    {
        _throttle.Apply_NeedsLock(Verdict(MemberRejectionReason.CpuLimit, retryAt: TimeSpan.FromSeconds(10)), Member, _events);
        _events.Clear();

        Assert.True(_throttle.Apply_NeedsLock(Verdict(MemberRejectionReason.CpuLimit, retryAt: TimeSpan.FromSeconds(20)), Member, _events));

        Assert.Empty(_events);
    }

    private static MemberVerdict Verdict(
        MemberRejectionReason rejection,
        double? cpu = null,
        double? memory = null,
        int limit = 40,
        string? rejectedBy = null,
        TimeSpan? retryAt = null,
        TimeSpan? deadline = null) =>
        new(rejection, rejectedBy, retryAt, limit, MemberRejectionReason.ConcurrencyLimit, null, cpu, memory, deadline);
}
