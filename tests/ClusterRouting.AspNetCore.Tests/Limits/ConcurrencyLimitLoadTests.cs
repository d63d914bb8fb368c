using System.Net;
using ClusterRouting.AspNetCore.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.AspNetCore.Tests.Limits;

/// <summary>The concurrency limit is exact under a burst of concurrent requests over real sockets.</summary>
public class ConcurrencyLimitLoadTests
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(6, 30)]
    [InlineData(40, 64)]
    public async Task UseClusterMemberLimits_BurstOfSlowRequests_AdmitsExactlyTheLimitAndRefusesTheRest(int limit, int requests)
    {
        await using MemberServer member = await MemberServer.StartAsync(o => o.ConcurrentOperationLimitPreview = limit, new ScriptedUtilizationSource(), new FakeTimeProvider());

        // Every request is sent at once; the admitted ones wait in /slow until all the others have been answered.
        Task<HttpResponseMessage>[] sent = Enumerable.Range(0, requests)
            .Select(_ => Task.Run(() => member.Client.GetAsync(new Uri("/slow", UriKind.Relative))))
            .ToArray();

        await Waits.UntilAsync(() => sent.Count(t => t.IsCompleted) == requests - limit && member.SlowEntered == limit, $"{limit} requests are in /slow and {requests - limit} are answered");
        Assert.Equal(limit, member.Limiter.InFlight);
        Assert.Equal(limit, (await member.HealthAsync()).GetProperty("inFlight").GetInt32());
        Assert.Equal("concurrency", (await member.HealthAsync()).GetProperty("overLimit").GetString());

        member.OpenGate();
        HttpResponseMessage[] responses = await Task.WhenAll(sent).WaitAsync(Waits.Default);
        try
        {
            Assert.Equal(limit, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            HttpResponseMessage[] refused = responses.Where(r => r.StatusCode != HttpStatusCode.OK).ToArray();
            Assert.Equal(requests - limit, refused.Length);
            foreach (HttpResponseMessage response in refused)
            {
                await Refusal.AssertRefusedAsync(response, "concurrency", retryAfterSeconds: 1);
            }
        }
        finally
        {
            foreach (HttpResponseMessage response in responses)
            {
                response.Dispose();
            }
        }

        await Waits.UntilAsync(() => member.Limiter.InFlight == 0, "in-flight is back to 0");
        Assert.Equal(limit, member.SlowEntered);
    }

    [Fact]
    public async Task UseClusterMemberLimits_RepeatedWavesWithAbortsAndFailures_InFlightReturnsToZero()
    {
        const int Limit = 4;
        await using MemberServer member = await MemberServer.StartAsync(o => o.ConcurrentOperationLimitPreview = Limit, new ScriptedUtilizationSource(), new FakeTimeProvider());
        member.OpenGate();

        for (int wave = 0; wave < 5; wave++)
        {
            using var abort = new CancellationTokenSource(TimeSpan.FromMilliseconds(5 * wave));
            Task[] requests = Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
            {
                string path = (i % 3) switch { 0 => "/fast", 1 => "/throw", _ => "/slow" };
                try
                {
                    using HttpResponseMessage response = await member.Client.GetAsync(new Uri(path, UriKind.Relative), i % 4 == 0 ? abort.Token : CancellationToken.None);
                    Assert.Contains(response.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable });
                }
                catch (OperationCanceledException)
                {
                }
            })).ToArray();
            await Task.WhenAll(requests).WaitAsync(Waits.Default);
        }

        await Waits.UntilAsync(() => member.Limiter.InFlight == 0, "in-flight is back to 0 after the waves");
    }
}
