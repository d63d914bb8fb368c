using ClusterRouting;

/// <summary>
/// Stands in for the router's real work so the page has something to show: a few operations a second on each
/// cluster, each holding its lease a little while, and load reports now and then. Offline results are reported for
/// refresh-gw3 every so often, as if its machine kept dropping off.
/// </summary>
internal sealed class TrafficService(IClusterSelectorProvider clusters) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IClusterSelector refresh = clusters.GetCluster("refresh");
        IClusterSelector directQuery = clusters.GetCluster("directquery");
        int tick = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            tick++;
            _ = HoldAsync(refresh, TimeSpan.FromMilliseconds(800), stoppingToken);
            _ = HoldAsync(directQuery, TimeSpan.FromMilliseconds(300), stoppingToken);
            if (tick % 20 == 0)
            {
                refresh.ReportUtilization("refresh-gw1", Random.Shared.Next(20, 60), Random.Shared.Next(40, 75));
                directQuery.ReportUtilization("dq-gw1", Random.Shared.Next(30, 70), Random.Shared.Next(30, 60));
                directQuery.ReportUtilization("dq-gw2", Random.Shared.Next(30, 70), Random.Shared.Next(30, 60));
            }

            if (tick % 150 == 0)
            {
                refresh.ReportOffline("refresh-gw3");
            }

            await Task.Delay(200, stoppingToken).ConfigureAwait(false);
        }
    }

    private static async Task HoldAsync(IClusterSelector cluster, TimeSpan duration, CancellationToken stoppingToken)
    {
        if (!cluster.TrySelect(out MemberLease lease))
        {
            return;
        }

        using (lease)
        {
            try
            {
                await Task.Delay(duration, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }
    }
}
