using System.Diagnostics;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace ClusterRouting.Tests.Execution;

/// <summary>
/// End to end over real sockets: three Kestrel servers on loopback play the members of a cluster, requests are routed
/// to them with <see cref="ClusterSelector.ExecuteAsync{TResult}(Func{MemberLease, CancellationToken, ValueTask{TResult}}, CancellationToken)"/>
/// and a real <see cref="HttpClient"/>, and the primary is stopped (its port refuses connections) and then restarted
/// on the same port, with the real clock and short penalties.
/// </summary>
[Collection(LoopbackCluster.Name)]
[Trait("Category", "Slow")]
public class LoopbackClusterIntegrationTests
{
    private const int MemberCount = 3;
    private const int RequestsPerPhase = 100;
    private const int Requests = 3 * RequestsPerPhase;
    private const string Primary = "gw-0";

    /// <summary>
    /// The most attempts that may hit the stopped primary. Requests run one at a time, so after the first attempt that
    /// finds the primary offline, every further one is the single probe that follows a penalty. Penalties start at
    /// 200 ms and double up to 1 s, each shortened by at most 20 % jitter: probes come at the earliest 0.16, 0.48,
    /// 1.12, 1.92, 2.72 s... after the first failure, so an outage of the planned 0.8 s costs 3 attempts (4 if
    /// stopping and restarting the server are slow), and 10 attempts would take an outage of about 6 s, several times
    /// the planned one. Without offline tracking, Failover mode would waste one attempt per request of the outage: 100.
    /// </summary>
    private const int MaxAttemptsOnStoppedMember = 10;

    /// <summary>How many of the last requests, at least, the restarted primary's first answer must leave (0.72 s of the last third).</summary>
    private const int MinRequestsAfterComeback = 30;

    /// <summary>
    /// How long each third of the requests is spread over. The first third only warms up: 0.5 s. The outage lasts the
    /// second third: 0.8 s. The last third must outlast the longest penalty that can be running when the primary comes
    /// back (1 s + 20 % jitter = 1.2 s, after a fourth failure; 0.96 s after the third) and leave
    /// <see cref="MinRequestsAfterComeback"/> requests for the restarted primary to serve: 2.4 s, 24 ms apart.
    /// </summary>
    private static readonly TimeSpan[] PhaseDurations = [TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(2.4)];

    /// <summary>A hang fails the test instead of sticking: a case takes about 4 s.</summary>
    private static readonly TimeSpan ScenarioTimeout = TimeSpan.FromSeconds(20);

    // Generous: a loopback request takes milliseconds, but a loaded machine can stall one for a while.
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly ITestOutputHelper _output;

    public LoopbackClusterIntegrationTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [InlineData(SelectionMode.Failover)]
    [InlineData(SelectionMode.Random)]
    [InlineData(SelectionMode.RoundRobin)]
    public async Task ExecuteAsync_PrimaryStopsThenRestartsOnSamePort_EveryRequestIsServedAndPrimaryGetsTrafficBack(SelectionMode mode)
    {
        Outcome outcome = await RunScenarioAsync(mode).WaitAsync(ScenarioTimeout);
        string[] servedBy = outcome.ServedBy;

        // No request lost: each one returned the id of the member that served it.
        Assert.Equal(Requests, servedBy.Length);
        Assert.All(servedBy, id => Assert.Contains(id, new[] { "gw-0", "gw-1", "gw-2" }));

        // Only the stopped primary was ever found offline, and only a few times; the cluster penalized exactly those.
        Assert.Equal(0, outcome.OfflineAttempts[1]);
        Assert.Equal(0, outcome.OfflineAttempts[2]);
        Assert.InRange(outcome.OfflineAttempts[0], 1, MaxAttemptsOnStoppedMember);
        Assert.Equal(outcome.OfflineAttempts[0], outcome.PenaltiesStarted);

        string[] beforeStop = servedBy[..RequestsPerPhase];
        string[] duringOutage = servedBy[RequestsPerPhase..(2 * RequestsPerPhase)];
        Assert.DoesNotContain(Primary, duringOutage);

        // The primary's first answer after the restart (its probe) must leave at least MinRequestsAfterComeback
        // requests, and from then on it takes its share of traffic as before the outage.
        int back = Array.IndexOf(servedBy, Primary, 2 * RequestsPerPhase);
        Assert.InRange(back, 2 * RequestsPerPhase, Requests - MinRequestsAfterComeback);
        string[] afterComeback = servedBy[back..];
        switch (mode)
        {
            case SelectionMode.Failover:
                // Everything goes to the primary, then to the next member, then back to the restarted primary.
                Assert.All(beforeStop, id => Assert.Equal(Primary, id));
                Assert.All(duringOutage, id => Assert.Equal("gw-1", id));
                Assert.All(afterComeback, id => Assert.Equal(Primary, id));
                break;
            case SelectionMode.RoundRobin:
                // The rotation includes the primary again. Each thread rotates on its stripe's cursor and the requests'
                // continuations run on pool threads, so the sequence interleaves up to Stripes.Count exact rotations:
                // each member serves a third of the requests, give or take one per rotation.
                foreach (string id in new[] { "gw-0", "gw-1", "gw-2" })
                {
                    int served = afterComeback.Count(s => s == id);
                    Assert.InRange(served, (afterComeback.Length / MemberCount) - Stripes.Count, (afterComeback.Length / MemberCount) + Stripes.Count + 1);
                }

                break;
            default:
                // The probe and at least one more: with a third of the draws each, missing 29 in a row is a 1 in 100,000 chance.
                Assert.True(afterComeback.Count(id => id == Primary) >= 2, $"The primary served {string.Join(", ", afterComeback)}.");
                break;
        }

        Assert.All(outcome.FinalStatus.Members, member =>
        {
            Assert.Equal(MemberHealth.Online, member.Health);
            Assert.Equal(0, member.ConsecutiveOfflineResults);
        });
        Assert.True(outcome.Elapsed < TimeSpan.FromSeconds(15), $"The scenario took {outcome.Elapsed}.");
    }

    private async Task<Outcome> RunScenarioAsync(SelectionMode mode)
    {
        var total = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(ScenarioTimeout);
        CancellationToken cancellationToken = timeout.Token;
        var members = new LoopbackMember?[MemberCount];
        LoopbackMember? restarted = null;
        try
        {
            var addressOf = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var options = new ClusterOptions
            {
                Mode = mode,
                OfflinePenaltyBaseDuration = TimeSpan.FromMilliseconds(200),
                OfflinePenaltyMaxDuration = TimeSpan.FromSeconds(1),
                IsOfflineException = ex => ex is HttpRequestException,
            };
            for (int i = 0; i < MemberCount; i++)
            {
                LoopbackMember member = members[i] = await LoopbackMember.StartAsync($"gw-{i}");
                addressOf[member.MemberId] = member.BaseAddress;
                options.Members.Add(new ClusterMemberOptions(member.MemberId));
            }

            var logger = new FakeLogger();
            var cluster = new ClusterSelector("loopback", options, TimeProvider.System, RandomSource.FromSeed(7), logger);
            using var http = new HttpClient { Timeout = RequestTimeout };
            var offlineAttempts = new int[MemberCount];
            var offlineErrors = new List<string>();
            var servedBy = new List<string>(Requests);

            async ValueTask<string> CallAsync(MemberLease lease, CancellationToken ct)
            {
                try
                {
                    string body = await http.GetStringAsync(addressOf[lease.MemberId] + "/work", ct);
                    Assert.Equal(lease.MemberId, body);
                    return body;
                }
                catch (HttpRequestException ex)
                {
                    // The attempt ExecuteAsync records as AttemptOutcome.Offline before it moves to the next member.
                    Interlocked.Increment(ref offlineAttempts[lease.MemberIndex]);
                    offlineErrors.Add($"{lease.MemberId}{(lease.IsProbe ? " (probe)" : string.Empty)}: {ex.HttpRequestError}");
                    throw;
                }
            }

            TimeSpan outage = TimeSpan.Zero;
            TimeSpan? primaryBackAfter = null;
            var phaseClock = new Stopwatch();
            for (int request = 0; request < Requests; request++)
            {
                int phase = request / RequestsPerPhase;
                int inPhase = request % RequestsPerPhase;
                if (inPhase == 0)
                {
                    if (phase == 1)
                    {
                        outage = total.Elapsed;
                        await members[0]!.StopAsync();
                    }
                    else if (phase == 2)
                    {
                        int port = members[0]!.Port;
                        restarted = await LoopbackMember.StartAsync(Primary, port);
                        Assert.Equal(port, restarted.Port);
                        outage = total.Elapsed - outage;
                    }

                    phaseClock.Restart();
                }

                // An even spread over the phase, on an absolute schedule so that a late timer does not stretch it.
                TimeSpan wait = (PhaseDurations[phase] * inPhase / RequestsPerPhase) - phaseClock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }

                string id = await cluster.ExecuteAsync(CallAsync, cancellationToken).AsTask().WaitAsync(RequestTimeout * 2 * MemberCount, cancellationToken);
                servedBy.Add(id);
                if (phase == 2 && primaryBackAfter is null && id == Primary)
                {
                    primaryBackAfter = phaseClock.Elapsed;
                }
            }

            int penaltiesStarted = logger.WithEvent("PenaltyStarted").Count(e => e.GetStructuredStateValue("MemberId") == Primary);
            ClusterStatus status = cluster.GetStatus();
            total.Stop();

            _output.WriteLine($"{mode}: {Requests} requests in {total.Elapsed.TotalSeconds:F2} s; outage {outage.TotalMilliseconds:F0} ms; "
                + $"{offlineAttempts[0]} attempts on the stopped primary (bound {MaxAttemptsOnStoppedMember}); "
                + $"primary back {primaryBackAfter?.TotalMilliseconds:F0} ms after the restart; restart took {restarted!.BindAttempts} bind attempt(s).");
            _output.WriteLine($"  served: gw-0 {servedBy.Count(s => s == "gw-0")} (restarted server {restarted.Served}), gw-1 {servedBy.Count(s => s == "gw-1")}, gw-2 {servedBy.Count(s => s == "gw-2")}");
            _output.WriteLine($"  offline attempts: {string.Join(", ", offlineErrors)}");
            _output.WriteLine($"  status: {string.Join(", ", status.Members.Select(m => $"{m.Id} {m.Health}/{m.ConsecutiveOfflineResults}"))}");

            return new Outcome([.. servedBy], offlineAttempts, penaltiesStarted, status, total.Elapsed);
        }
        finally
        {
            foreach (LoopbackMember? member in members)
            {
                if (member is not null)
                {
                    await member.DisposeAsync();
                }
            }

            if (restarted is not null)
            {
                await restarted.DisposeAsync();
            }
        }
    }

    private sealed record Outcome(string[] ServedBy, int[] OfflineAttempts, int PenaltiesStarted, ClusterStatus FinalStatus, TimeSpan Elapsed);
}

/// <summary>
/// The loopback scenario runs on a schedule of real time: it runs alone, so that CPU-bound tests running in parallel
/// on a small machine do not delay its timers and requests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LoopbackCluster
{
    public const string Name = "Loopback cluster";
}
