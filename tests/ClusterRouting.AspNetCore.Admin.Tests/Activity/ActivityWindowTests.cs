namespace ClusterRouting.Admin.Tests;

/// <summary>The trailing one-minute window: counts leave it when their second is a whole window old, and concurrent recordings are all kept.</summary>
public sealed class ActivityWindowTests
{
    [Fact]
    public void Read_CountsTheLastWindowOnly()
    {
        var window = new ActivityWindow(60);
        window.Record(ActivityKind.Selection, 100);
        window.Record(ActivityKind.Selection, 130);
        window.Record(ActivityKind.Failover, 159);

        Assert.Equal(3, window.Read(159).Selections + window.Read(159).Failovers);
        Assert.Equal((2L, 1L), (window.Read(159).Selections, window.Read(159).Failovers));
        Assert.Equal((1L, 1L), (window.Read(160).Selections, window.Read(160).Failovers)); // second 100 is a whole window old
        Assert.Equal((0L, 0L), (window.Read(219).Selections, window.Read(219).Failovers));
    }

    [Fact]
    public void Record_InABucketReused_StartsItAfresh()
    {
        var window = new ActivityWindow(60);
        window.Record(ActivityKind.Refusal, 5);
        window.Record(ActivityKind.Refusal, 65); // the same bucket, a window later

        Assert.Equal(1, window.Read(65).Refusals);
    }

    [Fact]
    public void Record_OlderThanTheBucketsSecond_IsDropped()
    {
        var window = new ActivityWindow(60);
        window.Record(ActivityKind.OfflineAttempt, 70);
        window.Record(ActivityKind.OfflineAttempt, 10); // late, and a window older than what the bucket holds

        Assert.Equal(1, window.Read(70).OfflineAttempts);
    }

    [Fact]
    public void Read_CountsEachKindApart()
    {
        var window = new ActivityWindow(60);
        ActivityKind[] kinds = Enum.GetValues<ActivityKind>();
        for (int i = 0; i < kinds.Length; i++)
        {
            for (int n = 0; n <= i; n++)
            {
                window.Record(kinds[i], 1000);
            }
        }

        var counts = window.Read(1000);
        Assert.Equal((1L, 2L, 3L, 4L, 5L), (counts.Selections, counts.Failovers, counts.Refusals, counts.OfflineAttempts, counts.FailedSelections));
    }

    [Fact]
    public async Task Record_FromManyThreads_KeepsEveryCount()
    {
        var window = new ActivityWindow(60);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await Task.WhenAll(Enumerable.Range(0, 4).Select(t => Task.Run(() =>
        {
            for (int i = 0; i < 50_000; i++)
            {
                window.Record(ActivityKind.Selection, 500 + (i % 3));
            }
        }))).WaitAsync(timeout.Token);

        Assert.Equal(200_000, window.Read(502).Selections);
    }
}
