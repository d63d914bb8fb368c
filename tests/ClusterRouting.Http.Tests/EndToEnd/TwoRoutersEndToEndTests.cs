using Xunit.Abstractions;

namespace ClusterRouting.Http.Tests.EndToEnd;

/// <summary>
/// Two routers, each with its own cluster and its own count of what it sends, in front of the same three members with
/// a limit of 40: each router alone would send a member up to 40, so together they could send it 80. The member is the
/// authority: it refuses what is over its limit, and each router moves the refused request to another member.
/// </summary>
[Collection(EndToEndTests.Name)]
[Trait("Category", "EndToEnd")]
public sealed class TwoRoutersEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoRouters_NoMemberEverRunsMoreThanItsLimit_TheExcessMoves_AndNoRequestIsLost()
    {
        const int Limit = 40;
        const int PerRouterAtOnce = 40;
        const int PerRouter = 1_000;
        await using GatewayMember gw1 = await GatewayMember.StartAsync("gw-1", o => o.ConcurrentOperationLimitPreview = Limit);
        await using GatewayMember gw2 = await GatewayMember.StartAsync("gw-2", o => o.ConcurrentOperationLimitPreview = Limit);
        await using GatewayMember gw3 = await GatewayMember.StartAsync("gw-3", o => o.ConcurrentOperationLimitPreview = Limit);
        foreach (GatewayMember member in new[] { gw1, gw2, gw3 })
        {
            member.WorkTime = TimeSpan.FromMilliseconds(20);
        }

        // Failover on both routers: each sends everything it can to gw-1 first.
        await using Router a = await Router.StartAsync([gw1, gw2, gw3], o => o.ConcurrentOperationLimitPreview = Limit);
        await using Router b = await Router.StartAsync([gw1, gw2, gw3], o => o.ConcurrentOperationLimitPreview = Limit);

        long started = TimeProvider.System.GetTimestamp();
        Task<Outcome>[] runs = [Drive(a, PerRouter, PerRouterAtOnce), Drive(b, PerRouter, PerRouterAtOnce)];
        Outcome[] outcomes = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromMinutes(2));
        TimeSpan elapsed = TimeProvider.System.GetElapsedTime(started);

        int served = gw1.Served + gw2.Served + gw3.Served;
        output.WriteLine(
            $"2 routers x {PerRouter} requests, {PerRouterAtOnce} at once each: served gw-1 {gw1.Served}, gw-2 {gw2.Served}, gw-3 {gw3.Served}; "
            + $"most at once on a member: {gw1.MostAtOnce} / {gw2.MostAtOnce} / {gw3.MostAtOnce}; lost {outcomes.Sum(o => o.Lost)}; "
            + $"retried after the cluster said throttled: {outcomes.Sum(o => o.Retries)}; took {elapsed.TotalMilliseconds:0} ms");
        Assert.True(outcomes.Sum(o => o.Lost) == 0, $"lost requests; the first: {outcomes.Select(o => o.FirstLoss).FirstOrDefault(e => e is not null)}");
        Assert.Equal(2 * PerRouter, served);
        Assert.All(new[] { gw1, gw2, gw3 }, m => Assert.InRange(m.MostAtOnce, 0, Limit));
        Assert.True(gw1.MostAtOnce == Limit, $"gw-1 ran at most {gw1.MostAtOnce} at once: the routers did not press it to its limit");
        Assert.True(gw2.Served > 0, "no excess moved to gw-2");
        Assert.Equal(0, a.OfflineAttempts + b.OfflineAttempts);
    }

    /// <summary>
    /// Sends <paramref name="total"/> requests through <paramref name="router"/>, <paramref name="atOnce"/> at a time, as
    /// a caller does: a request that the cluster answers with "every member is at its limit" is retried when the
    /// answer says (its RetryAfter: the soonest a refused member's cool-down ends); any other failure is a lost request.
    /// </summary>
    private static async Task<Outcome> Drive(Router router, int total, int atOnce)
    {
        int next = -1;
        int lost = 0;
        int retries = 0;
        Exception? firstLoss = null;
        await Task.WhenAll(Enumerable.Range(0, atOnce).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < total)
            {
                for (int attempt = 0; ; attempt++)
                {
                    try
                    {
                        await router.WorkAsync();
                        break;
                    }
                    catch (ClusterThrottledException ex) when (attempt < 10)
                    {
                        Interlocked.Increment(ref retries);
                        await Task.Delay(ex.RetryAfter ?? TimeSpan.FromMilliseconds(100));
                    }
                    catch (Exception ex)
                    {
                        if (Interlocked.Increment(ref lost) == 1)
                        {
                            firstLoss = ex;
                        }

                        break;
                    }
                }
            }
        }));
        return new Outcome(lost, retries, firstLoss);
    }

    private readonly record struct Outcome(int Lost, int Retries, Exception? FirstLoss);
}
