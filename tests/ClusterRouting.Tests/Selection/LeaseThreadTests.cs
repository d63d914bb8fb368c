using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Selection;

/// <summary>
/// <see cref="LeaseThread"/>'s token renting on its own: each test runs on a thread of its own, so it starts from a
/// fresh <see cref="LeaseThread"/> with 32 tokens. A token is rented again only after its lease ended (on any thread);
/// the tokens grow only while too few are free, so their number stays proportional to the leases held; and renting
/// is amortized O(1): every pass over the tokens finds at least half as many free as are still out.
/// </summary>
public class LeaseThreadTests
{
    private const int InitialTokens = 32;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Current_IsOnePerThread_StartingWithAllTokensFree()
    {
        (LeaseThread first, LeaseThread again, int tokens, int free) = await OnNewThread(() =>
        {
            LeaseThread current = LeaseThread.Current;
            return (current, LeaseThread.Current, current.TokenCount, current.KnownFreeTokens);
        });
        LeaseThread other = await OnNewThread(() => LeaseThread.Current);

        Assert.Same(first, again);
        Assert.NotSame(first, other);
        Assert.Equal(InitialTokens, tokens);
        Assert.Equal(InitialTokens, free);
    }

    [Fact]
    public async Task RentToken_MarksTheTokenInUse_AndTakesItOffTheFreeStack()
    {
        (int inUse, int free, bool distinct) = await OnNewThread(() =>
        {
            LeaseThread local = LeaseThread.Current;
            LeaseToken first = local.RentToken();
            LeaseToken second = local.RentToken();
            return (first.InUse + second.InUse, local.KnownFreeTokens, !ReferenceEquals(first, second));
        });

        Assert.Equal(2, inUse);
        Assert.Equal(InitialTokens - 2, free);
        Assert.True(distinct);
    }

    [Fact]
    public async Task RentToken_EveryTokenOut_GrowsInsteadOfReusingOne()
    {
        (bool reused, int tokens) = await OnNewThread(() =>
        {
            LeaseThread local = LeaseThread.Current;
            var held = new HashSet<LeaseToken>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < InitialTokens; i++)
            {
                held.Add(local.RentToken());
            }

            LeaseToken extra = local.RentToken();
            return (held.Contains(extra), local.TokenCount);
        });

        Assert.False(reused);
        Assert.Equal(2 * InitialTokens, tokens);
    }

    [Fact]
    public async Task RentToken_NeverHandsOutATokenWhoseLeaseIsStillOn()
    {
        (int violations, int rents, int tokens) = await OnNewThread(() =>
        {
            LeaseThread local = LeaseThread.Current;
            var random = new Random(1234);
            var held = new List<LeaseToken>();
            var outstanding = new HashSet<LeaseToken>(ReferenceEqualityComparer.Instance);
            int violations = 0;
            int rents = 0;
            for (int step = 0; step < 20_000; step++)
            {
#pragma warning disable CA5394 // A test's pattern needs no unpredictability.
                bool rent = held.Count == 0 || (held.Count < 150 && random.Next(100) < 55);
                if (rent)
                {
                    LeaseToken token = local.RentToken();
                    rents++;
                    if (!outstanding.Add(token))
                    {
                        violations++;
                    }

                    held.Add(token);
                }
                else
                {
                    int index = random.Next(held.Count);
#pragma warning restore CA5394
                    LeaseToken token = held[index];
                    held[index] = held[^1];
                    held.RemoveAt(held.Count - 1);
                    outstanding.Remove(token);
                    Volatile.Write(ref token.InUse, 0); // as MemberLease.Dispose ends a lease
                }
            }

            return (violations, rents, local.TokenCount);
        });

        Assert.Equal(0, violations);
        Assert.True(rents > 10_000, $"only {rents} rents");
        Assert.True(tokens <= 3 * 150, $"{tokens} tokens for at most 150 held at once");
    }

    [Fact]
    public async Task RentToken_LeasesEndedOnAnotherThread_AreReusedByTheOwner()
    {
        (bool sameTokens, int tokens, bool releaserDone) = await OnNewThread(() =>
        {
            LeaseThread local = LeaseThread.Current;
            var first = new HashSet<LeaseToken>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < InitialTokens; i++)
            {
                first.Add(local.RentToken());
            }

            var releaser = new Thread(() =>
            {
                foreach (LeaseToken token in first)
                {
                    Volatile.Write(ref token.InUse, 0);
                }
            });
            releaser.Start();
            bool done = releaser.Join(Patience);

            var second = new HashSet<LeaseToken>(ReferenceEqualityComparer.Instance);
            for (int i = 0; i < InitialTokens; i++)
            {
                second.Add(local.RentToken());
            }

            return (first.SetEquals(second), local.TokenCount, done);
        });

        Assert.True(releaserDone);
        Assert.True(sameTokens);
        Assert.Equal(InitialTokens, tokens);
    }

    [Fact]
    public async Task SelectAndRelease_LeasesEndedOnAnotherThread_DoNotGrowTheOwnersTokens()
    {
        using var cluster = new ClusterSelector("lease-thread", Clusters.Options(2));
        (int tokens, bool releaserDone) = await OnNewThread(() =>
        {
            var leases = new MemberLease[InitialTokens];
            for (int round = 0; round < 200; round++)
            {
                for (int i = 0; i < leases.Length; i++)
                {
                    leases[i] = cluster.Select();
                }

                var releaser = new Thread(() =>
                {
                    foreach (MemberLease lease in leases)
                    {
                        lease.Dispose();
                    }
                });
                releaser.Start();
                if (!releaser.Join(Patience))
                {
                    return (-1, false);
                }
            }

            return (LeaseThread.Current.TokenCount, true);
        });

        Assert.True(releaserDone);
        Assert.Equal(InitialTokens, tokens);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(50)]
    [InlineData(100)]
    [InlineData(200)]
    public async Task SelectAndRelease_WithNLeasesHeld_TokensStayProportionalToN_AndStopGrowing(int held)
    {
        ClusterOptions options = Clusters.Options(1);
        options.BypassConcurrentOperationLimit = true;
        using var cluster = new ClusterSelector("lease-thread", options);

        (int afterWarmUp, int afterMore) = await OnNewThread(() =>
        {
            var leases = new List<MemberLease>();
            for (int i = 0; i < held; i++)
            {
                leases.Add(cluster.Select());
            }

            SelectAndRelease(cluster, 10_000);
            int afterWarmUp = LeaseThread.Current.TokenCount;
            SelectAndRelease(cluster, 50_000);
            int afterMore = LeaseThread.Current.TokenCount;
            leases.ForEach(l => l.Dispose());
            return (afterWarmUp, afterMore);
        });

        Assert.Equal(afterWarmUp, afterMore);

        // A pass doubles the tokens only when fewer than half of those still out are free: at most 3 x N, and never
        // fewer than the initial 32.
        Assert.True(afterWarmUp <= Math.Max(InitialTokens, 3 * held), $"{afterWarmUp} tokens for {held} leases held");
        Assert.True(afterWarmUp > held, $"{afterWarmUp} tokens for {held} leases held");
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(20)]
    [InlineData(100)]
    [InlineData(300)]
    public async Task RentToken_EveryPass_FindsAtLeastHalfAsManyFreeAsStillOut_SoRentingIsAmortizedConstant(int held)
    {
        const int Rents = 20_000;
        (int passes, List<string> shortPasses) = await OnNewThread(() =>
        {
            LeaseThread local = LeaseThread.Current;
            var kept = new List<LeaseToken>();
            for (int i = 0; i < held; i++)
            {
                kept.Add(local.RentToken());
            }

            int passes = 0;
            var shortPasses = new List<string>();
            for (int i = 0; i < Rents; i++)
            {
                bool pass = local.KnownFreeTokens == 0;
                LeaseToken token = local.RentToken();
                if (pass)
                {
                    passes++;
                    int freeFound = local.KnownFreeTokens + 1; // the pass found these; one was just rented
                    if (freeFound < held / 2)
                    {
                        shortPasses.Add($"pass {passes}: {freeFound} free for {held} out");
                    }
                }

                Volatile.Write(ref token.InUse, 0);
            }

            return (passes, shortPasses);
        });

        Assert.Empty(shortPasses);

        // Each pass is followed by at least max(1, held / 2) rents before the next one.
        Assert.True(passes <= (Rents / Math.Max(1, held / 2)) + 1, $"{passes} passes for {Rents} rents with {held} held");
    }

    private static void SelectAndRelease(ClusterSelector cluster, int times)
    {
        for (int i = 0; i < times; i++)
        {
            cluster.Select().Dispose();
        }
    }

    /// <summary>Runs <paramref name="body"/> on a new thread, so that it starts from a fresh <see cref="LeaseThread"/>.</summary>
    private static Task<T> OnNewThread<T>(Func<T> body) =>
        Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(Patience);
}
