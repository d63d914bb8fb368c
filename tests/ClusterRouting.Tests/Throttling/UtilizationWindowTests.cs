namespace ClusterRouting.Tests.Throttling;

/// <summary>
/// <see cref="UtilizationWindow"/> on its own: a ring of one-second buckets over a minute, averaged over the buckets
/// still in the window, expiring a whole window after the oldest bucket with a sample.
/// </summary>
public class UtilizationWindowTests
{
    private readonly UtilizationWindow _window = new(TimeSpan.FromMinutes(1), bucketCount: 60);

    [Fact]
    public void Compute_NoSample_IsEmpty()
    {
        Assert.Equal(default, _window.Compute(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Compute_FirstSampleAfterTheStart_ExpiresAWindowAfterItsOwnBucket()
    {
        // The buckets before the sample's were never written: they must not count as the oldest (which would expire
        // the sample at 60 s, five seconds early).
        _window.Add(TimeSpan.FromSeconds(5.5), 40, 50);

        Assert.Equal(new UtilizationWindow.Aggregate(40, 50, 1, TimeSpan.FromSeconds(65)), _window.Compute(TimeSpan.FromSeconds(5.5)));
    }

    [Fact]
    public void Compute_AveragesEverySampleInTheWindow()
    {
        _window.Add(TimeSpan.FromSeconds(3), 10, 20);
        _window.Add(TimeSpan.FromSeconds(3.5), 30, 40);
        _window.Add(TimeSpan.FromSeconds(30), 50, 90);

        Assert.Equal(new UtilizationWindow.Aggregate(30, 50, 3, TimeSpan.FromSeconds(63)), _window.Compute(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Compute_ABucketAWindowOld_HasLeftIt()
    {
        _window.Add(TimeSpan.FromSeconds(1), 90, 90);
        _window.Add(TimeSpan.FromSeconds(20), 10, 30);

        Assert.Equal(new UtilizationWindow.Aggregate(50, 60, 2, TimeSpan.FromSeconds(61)), _window.Compute(TimeSpan.FromSeconds(60.9)));
        Assert.Equal(new UtilizationWindow.Aggregate(10, 30, 1, TimeSpan.FromSeconds(80)), _window.Compute(TimeSpan.FromSeconds(61)));
    }

    [Fact]
    public void Add_ToABucketTheRingWrappedOnto_StartsItAfresh()
    {
        _window.Add(TimeSpan.FromSeconds(1), 90, 90);
        _window.Add(TimeSpan.FromSeconds(61), 10, 20);

        Assert.Equal(new UtilizationWindow.Aggregate(10, 20, 1, TimeSpan.FromSeconds(121)), _window.Compute(TimeSpan.FromSeconds(61)));
    }
}
