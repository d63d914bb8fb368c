using FakeTimeProvider = Microsoft.Extensions.Time.Testing.FakeTimeProvider;

namespace ClusterRouting.Tests.Scheduling;

/// <summary>
/// <see cref="ClusterClock"/> on its own: time since the cluster was created, clamped so that it never runs backwards
/// or below zero whatever the provider's timestamp does.
/// </summary>
public class ClusterClockTests
{
    private static readonly TimeSpan Start = TimeSpan.FromHours(1);

    [Fact]
    public void Now_JustCreated_IsZero()
    {
        var time = new FakeTimeProvider();

        var clock = new ClusterClock(time);

        Assert.Equal(TimeSpan.Zero, clock.Now);
        Assert.Same(time, clock.TimeProvider);
    }

    [Fact]
    public void Now_ProviderAdvances_IsTheTimeSinceCreation()
    {
        var time = new FakeTimeProvider();
        time.Advance(TimeSpan.FromMinutes(3)); // time before the clock exists does not count
        var clock = new ClusterClock(time);

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(5), clock.Now);

        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(TimeSpan.FromMilliseconds(5250), clock.Now);
    }

    [Fact]
    public void Now_ProviderStepsBack_DoesNotDecrease()
    {
        var time = new SteppingTimeProvider(Start);
        var clock = new ClusterClock(time);
        time.Timestamp = Start + TimeSpan.FromSeconds(10);
        Assert.Equal(TimeSpan.FromSeconds(10), clock.Now);

        time.Timestamp = Start + TimeSpan.FromSeconds(3);

        Assert.Equal(TimeSpan.FromSeconds(10), clock.Now);
    }

    [Fact]
    public void Now_ProviderStepsBackThenForwardPastTheHighMark_FollowsTheProviderAgain()
    {
        var time = new SteppingTimeProvider(Start);
        var clock = new ClusterClock(time);
        time.Timestamp = Start + TimeSpan.FromSeconds(10);
        _ = clock.Now;
        time.Timestamp = Start + TimeSpan.FromSeconds(2);
        _ = clock.Now;

        time.Timestamp = Start + TimeSpan.FromSeconds(12);

        Assert.Equal(TimeSpan.FromSeconds(12), clock.Now);
    }

    [Fact]
    public void Now_ProviderStepsBehindTheCreation_IsNeverNegative()
    {
        var time = new SteppingTimeProvider(Start);
        var clock = new ClusterClock(time);

        time.Timestamp = Start - TimeSpan.FromMinutes(30);

        Assert.Equal(TimeSpan.Zero, clock.Now);
    }

    [Fact]
    public async Task Now_ReadConcurrentlyWhileTheProviderJumpsAround_NeverDecreasesOnAnyThread()
    {
        var time = new SteppingTimeProvider(Start);
        var clock = new ClusterClock(time);
        const int Readers = 3;
        const int Reads = 20_000;
        using var cancel = new CancellationTokenSource();

        Task mover = Task.Run(() =>
        {
            var random = new Random(7);
            while (!cancel.IsCancellationRequested)
            {
#pragma warning disable CA5394 // A test's jumps need no unpredictability.
                time.Timestamp = Start + TimeSpan.FromMilliseconds(random.Next(-1_000, 10_000));
#pragma warning restore CA5394
            }
        });

        Task<int>[] readers = Enumerable.Range(0, Readers).Select(_ => Task.Run(() =>
        {
            int decreases = 0;
            TimeSpan last = TimeSpan.Zero;
            for (int i = 0; i < Reads; i++)
            {
                TimeSpan now = clock.Now;
                if (now < last || now < TimeSpan.Zero)
                {
                    decreases++;
                }

                last = now;
            }

            return decreases;
        })).ToArray();

        int[] decreases;
        try
        {
            decreases = await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            await cancel.CancelAsync();
            await mover.WaitAsync(TimeSpan.FromSeconds(10));
        }

        Assert.All(decreases, d => Assert.Equal(0, d));
    }

    [Fact]
    public void Until_Null_IsNull()
    {
        var clock = new ClusterClock(new FakeTimeProvider());

        Assert.Null(clock.Until(null));
    }

    [Fact]
    public void Until_FutureMoment_IsWhatIsLeft()
    {
        var time = new FakeTimeProvider();
        var clock = new ClusterClock(time);
        time.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal(TimeSpan.FromSeconds(6), clock.Until(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(1)]
    [InlineData(0)]
    public void Until_MomentNowOrPast_IsZero(int secondsAt)
    {
        var time = new FakeTimeProvider();
        var clock = new ClusterClock(time);
        time.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal(TimeSpan.Zero, clock.Until(TimeSpan.FromSeconds(secondsAt)));
    }

    [Fact]
    public void Until_AfterTheProviderStepsBack_CountsFromTheClampedNow()
    {
        var time = new SteppingTimeProvider(Start);
        var clock = new ClusterClock(time);
        time.Timestamp = Start + TimeSpan.FromSeconds(10);
        _ = clock.Now;

        time.Timestamp = Start + TimeSpan.FromSeconds(3);

        Assert.Equal(TimeSpan.FromSeconds(2), clock.Until(TimeSpan.FromSeconds(12)));
    }

    [Fact]
    public void UtcOf_Null_IsNull()
    {
        var clock = new ClusterClock(new FakeTimeProvider());

        Assert.Null(clock.UtcOf(null));
    }

    [Fact]
    public void UtcOf_FutureMoment_IsTheProvidersUtcNowPlusWhatIsLeft()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var clock = new ClusterClock(time);
        time.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal(new DateTimeOffset(2026, 3, 1, 12, 0, 10, TimeSpan.Zero), clock.UtcOf(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void UtcOf_PastMoment_IsTheProvidersUtcNow()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var clock = new ClusterClock(time);
        time.Advance(TimeSpan.FromSeconds(4));

        Assert.Equal(time.GetUtcNow(), clock.UtcOf(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void UtcOf_MomentPastTheEndOfTheCalendar_SaturatesAtMaxValue()
    {
        var clock = new ClusterClock(new FakeTimeProvider());

        Assert.Equal(DateTimeOffset.MaxValue, clock.UtcOf(TimeSpan.MaxValue));
    }

    /// <summary>A provider whose timestamp the test sets, backwards too (one timestamp tick is one <see cref="TimeSpan"/> tick).</summary>
    private sealed class SteppingTimeProvider(TimeSpan start) : TimeProvider
    {
        private long _ticks = start.Ticks;

        public TimeSpan Timestamp
        {
            get => TimeSpan.FromTicks(Volatile.Read(ref _ticks));
            set => Volatile.Write(ref _ticks, value.Ticks);
        }

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Volatile.Read(ref _ticks);

        public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) + Timestamp;
    }
}
