using ClusterRouting.Tests.TestSupport;
using FsCheck;
using FsCheck.Fluent;

namespace ClusterRouting.Tests.Cluster;

/// <summary>
/// The in-flight count is striped (one counter per thread stripe, <see cref="Stripes"/>); these tests drive the stripes
/// directly and check that admission stays exact: a slot is taken exactly when fewer than the limit are out.
/// </summary>
public class StripedInFlightTests
{
    [Fact]
    public void CountFor_IsAPowerOfTwoAtLeastTheProcessorCount_AndAtMost16()
    {
        Assert.Equal(1, Stripes.CountFor(1));
        Assert.Equal(2, Stripes.CountFor(2));
        Assert.Equal(4, Stripes.CountFor(3));
        Assert.Equal(8, Stripes.CountFor(8));
        Assert.Equal(16, Stripes.CountFor(12));
        Assert.Equal(16, Stripes.CountFor(64));
    }

    [Fact]
    public void Count_ComesFromTheRuntimeConfigurationSetting_WhenItIsSet()
    {
        // The test project sets ClusterRouting.StripeCount to 4 (RuntimeHostConfigurationOption), whatever the machine.
        Assert.Equal("4", AppContext.GetData(Stripes.CountSetting));
        Assert.Equal(4, Stripes.Count);
        Assert.Equal(3, Stripes.Mask);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(1, 1)]
    [InlineData(3, 3)]
    [InlineData(64, 64)]
    [InlineData("8", 8)]
    [InlineData(" 2 ", 2)]
    public void Configured_ReadsAWholeNumberFromOne(object? setting, int? expected)
    {
        Assert.Equal(expected, Stripes.Configured(setting));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    [InlineData("0")]
    [InlineData("four")]
    [InlineData("2.5")]
    [InlineData("")]
    [InlineData(4.0)]
    public void Configured_AnythingElse_ThrowsNamingTheSetting(object setting)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Stripes.Configured(setting));

        Assert.Equal("ClusterRouting.StripeCount", ex.ParamName);
        Assert.Equal(setting, ex.ActualValue);
    }

    [Fact]
    public void Configured_NotAWholeNumber_SaysWhatTheSettingMustBe()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Stripes.Configured("four"));

        Assert.StartsWith("The runtime configuration setting ClusterRouting.StripeCount must be a whole number from 1; it is 'four'.", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(40)]
    [InlineData(int.MaxValue)]
    public void Quota_SharesAddUpToTheLimit_AndDifferByAtMostOne(int limit)
    {
        long[] shares = Enumerable.Range(0, Stripes.Count).Select(s => (long)Stripes.Quota(limit, s)).ToArray();

        Assert.Equal(limit, shares.Sum());
        Assert.InRange(shares.Max() - shares.Min(), 0, 1);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(3, 3)]
    [InlineData(5, 2)]
    [InlineData(40, 0)]
    [InlineData(40, 1)]
    public void TryAcquire_FromOneStripe_TakesExactlyTheLimitAcrossStripes(int limit, int stripe)
    {
        stripe &= Stripes.Mask;
        MemberSlots state = new MemberState("gw-0").Slots;
        var taken = new List<int>();

        for (int used; (used = state.TryAcquire(limit, stripe)) >= 0;)
        {
            taken.Add(used);
            Assert.True(taken.Count <= limit, "took more slots than the limit");
        }

        Assert.Equal(limit, taken.Count);
        Assert.Equal(limit, state.InFlight);

        // Its own stripe first, then the others: every stripe ends full with its share.
        Assert.Equal(Math.Min(limit, Stripes.Quota(limit, stripe)), taken.Count(s => s == stripe));
        for (int s = 0; s < Stripes.Count; s++)
        {
            Assert.Equal(Stripes.Quota(limit, s), taken.Count(used => used == s));
        }

        foreach (int used in taken)
        {
            state.Release(used);
        }

        Assert.Equal(0, state.InFlight);
        // Free again: the thread's own stripe when it has a share, else the next one after it that has a share.
        int expected = Enumerable.Range(0, Stripes.Count).Select(step => (stripe + step) & Stripes.Mask).First(s => Stripes.Quota(limit, s) > 0);
        Assert.Equal(expected, state.TryAcquire(limit, stripe));
    }

    [Fact]
    public void PrepareForLimit_LimitLoweredWithLeasesOut_AdmitsOnlyOnceTheSumIsUnderTheNewLimit()
    {
        MemberSlots state = new MemberState("gw-0").Slots;
        int[] held = Enumerable.Range(0, 5).Select(_ => state.TryAcquire(40, 0)).ToArray();
        Assert.All(held, used => Assert.Equal(0, used));

        state.PrepareForLimit(3);

        Assert.True(state.IsGuarded);
        for (int s = 0; s < Stripes.Count; s++)
        {
            Assert.Equal(-1, state.TryAcquire(3, s));
        }

        state.Release(held[0]);
        state.Release(held[1]);
        Assert.Equal(3, state.InFlight);
        Assert.Equal(-1, state.TryAcquire(3, Stripes.Mask));

        state.Release(held[2]);
        int admitted = state.TryAcquire(3, Stripes.Mask);
        Assert.True(admitted >= 0);
        Assert.Equal(3, state.InFlight);
        Assert.Equal(-1, state.TryAcquire(3, 0));

        state.Release(held[3]);
        state.Release(held[4]);
        state.Release(admitted);
        Assert.Equal(0, state.InFlight);

        // Back within the shares: the first admission leaves guarded mode, and the limit is exact again.
        Assert.True(state.TryAcquire(3, 0) >= 0);
        Assert.False(state.IsGuarded);
    }

    [Fact]
    public void PrepareForLimit_LimitRaisedBackWhileGuarded_LeavesGuardedMode()
    {
        MemberSlots state = new MemberState("gw-0").Slots;
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(0, state.TryAcquire(40, 0));
        }

        state.PrepareForLimit(3);
        Assert.True(state.IsGuarded);

        // Nothing was released, but at 40 every stripe is within its share again: the fast path is exact once more.
        state.PrepareForLimit(40);
        Assert.False(state.IsGuarded);
        Assert.Equal(1, state.TryAcquire(40, 1));
        Assert.Equal(6, state.InFlight);

        // And a later lowering that leaves every stripe within its share (5 and 1 against shares of 10) keeps it so.
        state.PrepareForLimit(40);
        Assert.False(state.IsGuarded);
    }

    [Fact]
    public void TryAcquire_Guarded_TakesAStripeUnderItsShare_SoGuardedModeCanEnd()
    {
        // Three on stripe 0; a limit of 2 x Count gives every stripe a share of 2, so stripe 0 is over its share.
        int limit = 2 * Stripes.Count;
        MemberSlots state = new MemberState("gw-0").Slots;
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(0, state.TryAcquire(40, 0));
        }

        state.PrepareForLimit(limit);
        Assert.True(state.IsGuarded);

        // A thread on stripe 0 is admitted (3 < limit) on the next stripe, which is under its share.
        Assert.Equal(1, state.TryAcquire(limit, 0));
        Assert.True(state.IsGuarded);

        // Once stripe 0 is back within its share (2 of 2), the next admission goes where there is room (stripe 1,
        // 1 of 2) and, with every stripe within its share, ends guarded mode.
        state.Release(0);
        Assert.Equal(1, state.TryAcquire(limit, 0));
        Assert.False(state.IsGuarded);
        Assert.Equal(4, state.InFlight);
    }

    [Fact]
    public void PrepareForLimit_LimitRaisedOrUnchanged_StaysUnguarded()
    {
        MemberSlots state = new MemberState("gw-0").Slots;
        Assert.Equal(0, state.TryAcquire(2, 0));

        state.PrepareForLimit(2);
        Assert.False(state.IsGuarded);
        state.PrepareForLimit(40);
        Assert.False(state.IsGuarded);
    }

    [Fact]
    public async Task Reconfigure_LowerLimitAfterOneThreadTookEveryLease_AnotherThreadCannotExceedTheNewLimit()
    {
        var options = Clusters.Options(1, SelectionMode.Failover);
        options.ConcurrentOperationLimitPreview = 40;
        var cluster = new ClusterSelector("test", options);
        List<MemberLease> leases = Enumerable.Range(0, 5).Select(_ => cluster.Select()).ToList();

        options.ConcurrentOperationLimitPreview = 3;
        cluster.Reconfigure(options);

        // Another thread (usually another stripe) must not be admitted on its stripe's share of 3.
        bool admitted = await Task.Factory.StartNew(() =>
        {
            bool taken = cluster.TrySelect(out MemberLease lease);
            lease.Dispose();
            return taken;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        Assert.False(admitted);
        leases.ForEach(l => l.Dispose());
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
    }

    [Fact]
    public void SequentialOperations_AdmitExactlyWhileFewerThanTheLimitAreOut()
    {
        // Commands: 0 acquire on a stripe, 1 release the i-th held slot, 2 change the limit (as a published snapshot
        // would, through PrepareForLimit). The model is a single count.
        Gen<(int Kind, int Stripe, int Value)> command =
            from kind in Gen.Frequency((5, Gen.Constant(0)), (4, Gen.Constant(1)), (1, Gen.Constant(2)))
            from stripe in Gen.Choose(0, 15)
            from value in Gen.Choose(1, 8)
            select (kind, stripe, value);

        Prop.ForAll(Gen.ListOf(command).Select(l => l.ToArray()).ToArbitrary(), commands =>
        {
            MemberSlots state = new MemberState("gw-0").Slots;
            var held = new List<int>();
            int limit = 4;
            foreach ((int kind, int stripe, int value) in commands)
            {
                switch (kind)
                {
                    case 0:
                        int used = state.TryAcquire(limit, stripe & Stripes.Mask);
                        Assert.Equal(held.Count < limit, used >= 0);
                        if (used >= 0)
                        {
                            held.Add(used);
                        }

                        break;
                    case 1 when held.Count > 0:
                        int index = value % held.Count;
                        state.Release(held[index]);
                        held.RemoveAt(index);
                        break;
                    case 2:
                        limit = value;
                        state.PrepareForLimit(limit);
                        break;
                }

                Assert.Equal(held.Count, state.InFlight);
            }
        }).Check(PropertyConfig.Pinned(500));
    }
}
