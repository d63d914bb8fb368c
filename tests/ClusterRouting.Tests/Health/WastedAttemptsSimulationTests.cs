using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace ClusterRouting.Tests.Health;

/// <summary>
/// The seeds' problem, measured: attempts wasted on a member that stays offline, per 1,000 operations, with and
/// without penalty tracking. The operations are spread over 100 s of simulated time (one every 100 ms).
/// </summary>
[Trait("Category", "Slow")]
public class WastedAttemptsSimulationTests(ITestOutputHelper output)
{
    private const int Operations = 1_000;

    [Theory]
    [InlineData(SelectionMode.Failover)]
    [InlineData(SelectionMode.Random)]
    [InlineData(SelectionMode.RoundRobin)]
    public async Task PenaltyTracking_CutsWastedAttemptsAtLeastTenfold(SelectionMode mode)
    {
        int without = await WastedAttempts(mode, trackOffline: false);
        int with = await WastedAttempts(mode, trackOffline: true);

        output.WriteLine($"{mode}: {without} wasted attempts per {Operations} operations without penalty tracking, {with} with it");
        Assert.True(without >= 10 * Math.Max(with, 1), $"{mode}: without {without}, with {with}");
    }

    private static async Task<int> WastedAttempts(SelectionMode mode, bool trackOffline)
    {
        var time = new FakeTimeProvider();
        ClusterOptions options = Clusters.Options(3, mode);
        options.TrackOfflineMembers = trackOffline;
        var cluster = new ClusterSelector("sim", options, time, RandomSource.FromSeed(17));
        int wasted = 0;
        for (int i = 0; i < Operations; i++)
        {
            string served = await cluster.ExecuteAsync((lease, _) =>
            {
                if (lease.MemberId == "gw-0")
                {
                    wasted++;
                    throw new MemberOfflineException();
                }

                return new ValueTask<string>(lease.MemberId);
            });
            Assert.NotEqual("gw-0", served);
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        return wasted;
    }
}
