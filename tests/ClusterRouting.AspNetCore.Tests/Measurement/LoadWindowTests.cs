namespace ClusterRouting.AspNetCore.Tests.Measurement;

public class LoadWindowTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void Compute_NoSample_HasNoAverages()
    {
        var window = new LoadWindow(Minute, 60);

        LoadWindow.Averages averages = window.Compute(TimeSpan.FromSeconds(10));

        Assert.Null(averages.CpuPercent);
        Assert.Null(averages.MemoryPercent);
        Assert.Null(averages.CpuOldestExpiresAt);
    }

    [Fact]
    public void Compute_SamplesInWindow_AveragesEachResourceOverItsOwnSamples()
    {
        var window = new LoadWindow(Minute, 60);
        window.Add(TimeSpan.FromSeconds(1), 10, null);
        window.Add(TimeSpan.FromSeconds(1.5), 30, 60);
        window.Add(TimeSpan.FromSeconds(20), 50, 80);

        LoadWindow.Averages averages = window.Compute(TimeSpan.FromSeconds(30));

        Assert.Equal(30, averages.CpuPercent);
        Assert.Equal(70, averages.MemoryPercent);
        Assert.Equal(TimeSpan.FromSeconds(61), averages.CpuOldestExpiresAt);
        Assert.Equal(TimeSpan.FromSeconds(61), averages.MemoryOldestExpiresAt);
    }

    [Fact]
    public void Compute_OldestBucketAWindowOld_LeavesTheAverage()
    {
        var window = new LoadWindow(Minute, 60);
        window.Add(TimeSpan.FromSeconds(0.5), 90, 90);
        window.Add(TimeSpan.FromSeconds(30), 10, 10);

        Assert.Equal(50, window.Compute(TimeSpan.FromSeconds(59.9)).CpuPercent);
        LoadWindow.Averages after = window.Compute(TimeSpan.FromSeconds(60));
        Assert.Equal(10, after.CpuPercent);
        Assert.Equal(TimeSpan.FromSeconds(90), after.CpuOldestExpiresAt);
        Assert.Null(window.Compute(TimeSpan.FromSeconds(90)).CpuPercent);
    }

    [Fact]
    public void Add_ManyMoreSamplesThanBuckets_KeepsOnlyTheWindowAndExactAverage()
    {
        var window = new LoadWindow(Minute, 60);
        for (int second = 0; second < 600; second++)
        {
            for (int i = 0; i < 10; i++)
            {
                window.Add(TimeSpan.FromSeconds(second + (i / 10.0)), second < 540 ? 100 : 20, null);
            }
        }

        // The last 60 seconds (540 to 599) are all 20: the 540 seconds of 100 before them have left.
        Assert.Equal(20, window.Compute(TimeSpan.FromSeconds(599.9)).CpuPercent);
    }

    [Fact]
    public void Compute_AnOlderBucketWithoutCpu_DoesNotAgeTheCpuAverage()
    {
        // Six 10 s buckets: memory alone at 55 s (bucket 5), then CPU at 65 s (bucket 6, which reuses the first slot).
        var window = new LoadWindow(Minute, 6);
        window.Add(TimeSpan.FromSeconds(55), null, 10);
        window.Add(TimeSpan.FromSeconds(65), 90, 10);

        LoadWindow.Averages averages = window.Compute(TimeSpan.FromSeconds(65));

        Assert.Equal(90, averages.CpuPercent);
        Assert.Equal(TimeSpan.FromSeconds(120), averages.CpuOldestExpiresAt);
        Assert.Equal(TimeSpan.FromSeconds(110), averages.MemoryOldestExpiresAt);
    }
}
