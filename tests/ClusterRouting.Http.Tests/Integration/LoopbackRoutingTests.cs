using System.Collections.Concurrent;
using System.Net;
using ClusterRouting.Http.Tests.TestSupport;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Http.Tests.Integration;

/// <summary>The handler over real Kestrel members on 127.0.0.1: failover, refusals, distribution, limits, replay.</summary>
public sealed class LoopbackRoutingTests : IAsyncLifetime
{
    private HttpMember[] _members = [];

    public async Task InitializeAsync() => _members = await Members.StartAsync(3);

    public Task DisposeAsync() => Members.DisposeAllAsync(_members);

    [Fact]
    public async Task SendAsync_MemberKilledInTheMiddleOfARunOfGets_LosesNoRequest()
    {
        using ClusterSelector cluster = Members.Cluster(_members, SelectionMode.RoundRobin);
        using HttpClient client = Members.Client(cluster);
        const int KillAfter = 100;
        const int RunAfterKill = 100;
        const int MaxRequests = 20_000;
        int started = 0;
        int completed = 0;
        int startedAfterKill = 0;
        int killed = 0;
        var answers = new ConcurrentQueue<(bool AfterKill, string Member)>();

        // Four workers send GETs until 100 requests have started after gw-1's stop completed (a bounded loop).
        async Task WorkerAsync()
        {
            while (Volatile.Read(ref startedAfterKill) < RunAfterKill && Interlocked.Increment(ref started) <= MaxRequests)
            {
                bool afterKill = Volatile.Read(ref killed) == 1;
                if (afterKill)
                {
                    Interlocked.Increment(ref startedAfterKill);
                }

                answers.Enqueue((afterKill, await client.GetStringAsync("/work")));
                Interlocked.Increment(ref completed);
            }
        }

        Task[] workers = Enumerable.Range(0, 4).Select(_ => Task.Run(WorkerAsync)).ToArray();
        await Members.WaitUntilAsync(() => Volatile.Read(ref completed) >= KillAfter, $"{KillAfter} requests completed");
        await _members[0].StopAsync();
        Volatile.Write(ref killed, 1);

        // Any request lost would fail its worker, and so this wait.
        await Task.WhenAll(workers).WaitAsync(Members.Timeout);

        Assert.Equal(Volatile.Read(ref completed), answers.Count);
        Assert.Contains(answers, a => !a.AfterKill && a.Member == "gw-1");
        Assert.DoesNotContain(answers, a => a.AfterKill && a.Member == "gw-1");
        Assert.True(answers.Count(a => a.AfterKill) >= RunAfterKill);
        Assert.NotEqual(MemberHealth.Online, cluster.GetStatus().Members[0].Health);
        Assert.Equal(0, Members.TotalInFlight(cluster));
    }

    [Fact]
    public async Task SendAsync_CpuRefusalWithRetryAfter2_RoutedAroundFor2SecondsThenUsedAgain()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using ClusterSelector cluster = Members.Cluster(_members, SelectionMode.Failover, timeProvider: time);
        using HttpClient client = Members.Client(cluster);
        int calls = 0;
        _members[0].Behavior = async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "2";
                await context.Response.WriteAsync(GatewayMessages.Cpu);
            }
            else
            {
                await context.Response.WriteAsync("gw-1");
            }
        };

        Assert.Equal("gw-2", await client.GetStringAsync("/work"));
        MemberStatus refused = cluster.GetStatus().Members[0];
        Assert.Equal((MemberRejectionReason.CpuLimit, TimeSpan.FromSeconds(2)), (refused.Throttle, refused.ThrottleRetryAfter));
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal("gw-2", await client.GetStringAsync("/work"));
        }

        time.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal("gw-2", await client.GetStringAsync("/work"));
        Assert.Equal(1, _members[0].Requests);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("gw-1", await client.GetStringAsync("/work"));
        Assert.Equal(2, _members[0].Requests);
        Assert.Equal(0, cluster.GetStatus().Members[0].ConsecutiveOfflineResults);
    }

    [Fact]
    public async Task SendAsync_ProblemDetailsRefusalFromKestrel_RecognizedDespiteEscapedApostrophes()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        using HttpClient client = Members.Client(cluster);
        _members[0].Behavior = context => Results.Problem(detail: GatewayMessages.Memory, statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);

        Assert.Equal("gw-2", await client.GetStringAsync("/work"));

        MemberStatus refused = cluster.GetStatus().Members[0];
        Assert.Equal(MemberRejectionReason.MemoryLimit, refused.Throttle);
        // No Retry-After: the cluster's own cool-down (30 s), as it stood when the status was read.
        Assert.InRange(refused.ThrottleRetryAfter!.Value, TimeSpan.FromSeconds(20), new ClusterOptions().MemberRefusalCoolDown);
    }

    [Fact]
    public async Task SendAsync_ServiceUnavailableWithoutRefusalMarkers_ReturnedAsIsWithItsBody()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        using HttpClient client = Members.Client(cluster);
        string body = "down for maintenance " + new string('.', 20_000);
        _members[0].Behavior = async context =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsync(body);
        };

        using HttpResponseMessage response = await client.GetAsync("/work");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.Equal(0, _members[1].Requests);
        Assert.Equal(0, Members.TotalInFlight(cluster));
    }

    [Fact]
    public async Task SendAsync_RoundRobinOverThreeHealthyMembers_ExactShares()
    {
        using ClusterSelector cluster = Members.Cluster(_members, SelectionMode.RoundRobin);
        using HttpClient client = Members.Client(cluster);
        var served = new Dictionary<string, int>();

        // Selections on one thread follow the rotation exactly (threads selecting at once interleave theirs).
        await SingleThreadContext.RunAsync(async () =>
        {
            for (int i = 0; i < 300; i++)
            {
                string member = await client.GetStringAsync("/work");
                served[member] = served.GetValueOrDefault(member) + 1;
            }
        }).WaitAsync(Members.Timeout);

        Assert.Equal(new Dictionary<string, int> { ["gw-1"] = 100, ["gw-2"] = 100, ["gw-3"] = 100 }, served);
        Assert.Equal([100, 100, 100], _members.Select(m => m.Requests));
    }

    [Fact]
    public async Task SendAsync_ConcurrencyLimit40_The41stConcurrentRequestGoesToAnotherMember()
    {
        using ClusterSelector cluster = Members.Cluster(_members, SelectionMode.Failover, o => o.ConcurrentOperationLimitPreview = 40);
        using HttpClient client = Members.Client(cluster);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _members[0].Behavior = async context =>
        {
            await gate.Task;
            await context.Response.WriteAsync("gw-1");
        };
        try
        {
            Task<string>[] held = Enumerable.Range(0, 40).Select(_ => client.GetStringAsync("/work")).ToArray();
            await Members.WaitUntilAsync(() => _members[0].Requests == 40, "40 requests reached gw-1");
            Assert.Equal(40, Members.InFlight(cluster, "gw-1"));

            Assert.Equal("gw-2", await client.GetStringAsync("/work").WaitAsync(Members.Timeout));
            Assert.Equal(40, Members.InFlight(cluster, "gw-1"));
            Assert.Equal(40, _members[0].Requests);

            gate.SetResult();
            string[] answers = await Task.WhenAll(held).WaitAsync(Members.Timeout);
            Assert.All(answers, a => Assert.Equal("gw-1", a));
            Assert.Equal(0, Members.TotalInFlight(cluster));
        }
        finally
        {
            gate.TrySetResult();
        }
    }

    [Fact]
    public async Task SendAsync_EveryMemberDown_ThrowsAllMembersFailedWithEachMemberTriedOnce()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        using HttpClient client = Members.Client(cluster);
        foreach (HttpMember member in _members)
        {
            await member.StopAsync();
        }

        var error = await Assert.ThrowsAsync<AllMembersFailedException>(() => client.GetStringAsync("/work"));

        Assert.Equal("refresh", error.ClusterName);
        Assert.Equal(["gw-1", "gw-2", "gw-3"], error.Attempts.Select(a => a.MemberId));
        Assert.All(error.Attempts, a =>
        {
            Assert.Equal(AttemptOutcome.Offline, a.Outcome);
            Assert.Equal(HttpRequestError.ConnectionError, Assert.IsType<HttpRequestException>(a.Exception).HttpRequestError);
        });
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal((MemberHealth.Penalized, 1, 0), (m.Health, m.ConsecutiveOfflineResults, m.InFlight)));
    }

    [Fact]
    public async Task SendAsync_PostWithStreamContentRefused_IsNotSentTwice()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        using HttpClient client = Members.Client(cluster);
        _members[0].Behavior = async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsync(GatewayMessages.Cpu);
        };

        var error = await Assert.ThrowsAsync<RequestNotReplayableException>(() =>
            client.PostAsync("/work", new StreamContent(new NonSeekableStream(new byte[64 * 1024]))));

        Assert.Equal(1, _members[0].Requests);
        Assert.Equal(0, _members[1].Requests + _members[2].Requests);
        Assert.Equal(AttemptOutcome.Refused, Assert.Single(error.Attempts).Outcome);
        Assert.Equal(0, Members.TotalInFlight(cluster));
    }

    [Fact]
    public async Task SendAsync_PostWithBufferedBodyRefused_GoesToTheNextMemberWithItsBody()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        using HttpClient client = Members.Client(cluster);
        _members[0].Behavior = async context =>
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "1";
            await context.Response.WriteAsync(GatewayMessages.Concurrency);
        };
        _members[1].Behavior = async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            await context.Response.WriteAsync("gw-2 got " + await reader.ReadToEndAsync());
        };

        using HttpResponseMessage response = await client.PostAsync("/work", new StringContent("refresh dataset 7"));

        Assert.Equal("gw-2 got refresh dataset 7", await response.Content.ReadAsStringAsync());
        Assert.Equal((1, 1), (_members[0].Requests, _members[1].Requests));
    }

    [Fact]
    public async Task SendAsync_PostWhoseMemberDropsTheConnectionAfterReadingIt_IsNotSentAgain()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        using HttpClient client = Members.Client(cluster);
        _members[0].Behavior = async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Abort();
        };

        var error = await Assert.ThrowsAsync<RequestNotReplayableException>(() => client.PostAsync("/work", new StringContent("charge the card")));

        Assert.Equal(1, _members[0].Requests);
        Assert.Equal(0, _members[1].Requests + _members[2].Requests);
        Assert.Equal(AttemptOutcome.Offline, Assert.Single(error.Attempts).Outcome);
        Assert.Contains("POST is not idempotent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_MemberAddressWithBasePath_MemberReceivesBasePathPlusRequestPathAndQuery()
    {
        var options = new ClusterOptions
        {
            Members = { new("gw-1") { Address = new Uri($"http://127.0.0.1:{_members[0].Port}/gw/") } },
        };
        using var cluster = new ClusterSelector("refresh", options);
        using HttpClient client = Members.Client(cluster);

        Assert.Equal("gw-1", await client.GetStringAsync("http://refresh/query?x=1&y=a%20b"));

        Assert.Equal("/gw/query?x=1&y=a%20b", _members[0].LastPathAndQuery);
    }

    [Fact]
    public async Task Send_SynchronousClientOnRealSockets_RoutesFailsOverAndFreesTheSlot()
    {
        using ClusterSelector cluster = Members.Cluster(_members);
        using HttpClient client = Members.Client(cluster);
        await _members[0].StopAsync();

        using HttpResponseMessage response = client.Send(new HttpRequestMessage(HttpMethod.Get, "/work"));

        using var reader = new StreamReader(response.Content.ReadAsStream());
        Assert.Equal("gw-2", reader.ReadToEnd());
        Assert.Equal(0, Members.TotalInFlight(cluster));
        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[0].Health);
    }

    [Fact]
    public async Task SendAsync_PrimaryStoppedThenRestarted_PenalizedThenProbedAndRestored()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using ClusterSelector cluster = Members.Cluster(_members, SelectionMode.Failover, timeProvider: time);
        using HttpClient client = Members.Client(cluster);
        Assert.Equal("gw-1", await client.GetStringAsync("/work"));

        await _members[0].StopAsync();
        Assert.Equal("gw-2", await client.GetStringAsync("/work"));
        Assert.Equal("gw-2", await client.GetStringAsync("/work"));
        MemberStatus penalized = cluster.GetStatus().Members[0];
        Assert.Equal((MemberHealth.Penalized, 1), (penalized.Health, penalized.ConsecutiveOfflineResults));

        await _members[0].RestartAsync();
        Assert.Equal("gw-2", await client.GetStringAsync("/work"));

        // The penalty (5 s, up to 20 % jitter) ends: the next request probes gw-1, which answers and is restored.
        time.Advance(TimeSpan.FromSeconds(7));
        Assert.Equal(MemberHealth.Probing, cluster.GetStatus().Members[0].Health);
        Assert.Equal("gw-1", await client.GetStringAsync("/work"));
        MemberStatus restored = cluster.GetStatus().Members[0];
        Assert.Equal((MemberHealth.Online, 0), (restored.Health, restored.ConsecutiveOfflineResults));
        Assert.Equal("gw-1", await client.GetStringAsync("/work"));
    }
}
