using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.TestSupport;

/// <summary>A fake clock that counts how often it is read, to show that a path reads no clock.</summary>
internal sealed class CountingTimeProvider : TimeProvider
{
    private long _reads;

    public FakeTimeProvider Inner { get; } = new();

    /// <summary>Gets how many times the timestamp or the UTC time was read.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    public override long TimestampFrequency => Inner.TimestampFrequency;

    public override long GetTimestamp()
    {
        Interlocked.Increment(ref _reads);
        return Inner.GetTimestamp();
    }

    public override DateTimeOffset GetUtcNow()
    {
        Interlocked.Increment(ref _reads);
        return Inner.GetUtcNow();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        Inner.CreateTimer(callback, state, dueTime, period);

    public void Advance(TimeSpan by) => Inner.Advance(by);
}
