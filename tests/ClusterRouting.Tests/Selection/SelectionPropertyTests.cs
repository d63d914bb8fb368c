using ClusterRouting.Tests.TestSupport;
using FsCheck;
using FsCheck.Fluent;

namespace ClusterRouting.Tests.Selection;

public class SelectionPropertyTests
{
    private static readonly Gen<bool[]> EnabledMasks =
        from count in Gen.Choose(1, 10)
        from mask in Gen.ArrayOf(Gen.Elements(true, true, false), count)
        select mask;

    [PinnedProperty(300)]
    public Property Failover_AfterAnySequenceOfEnableAndDisable_ReturnsTheFirstEnabledMemberInOrder()
    {
        Gen<(int Count, (int Member, bool Enabled)[] Toggles)> cases =
            from count in Gen.Choose(1, 10)
            from toggles in Gen.ListOf(Gen.Zip(Gen.Choose(0, count - 1), Gen.Elements(true, false)))
            select (count, toggles.ToArray());

        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            ClusterSelector cluster = Clusters.Create(c.Count);
            var enabled = Enumerable.Repeat(true, c.Count).ToArray();
            foreach ((int member, bool on) in c.Toggles)
            {
                cluster.SetMemberEnabled($"gw-{member}", on);
                enabled[member] = on;
                int first = Array.IndexOf(enabled, true);
                string? expected = first < 0 ? null : $"gw-{first}";
                if (cluster.SelectOnce() != expected)
                {
                    return false;
                }
            }

            return true;
        });
    }

    [PinnedProperty(300)]
    public Property Random_NeverReturnsAnIneligibleMember()
    {
        Gen<(bool[] Mask, int Seed)> cases = Gen.Zip(EnabledMasks, Gen.Choose(0, int.MaxValue));

        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var cluster = new ClusterSelector("p", MaskedOptions(c.Mask, SelectionMode.Random), randomSource: RandomSource.FromSeed(c.Seed));
            for (int i = 0; i < 50; i++)
            {
                string? id = cluster.SelectOnce();
                bool anyEnabled = c.Mask.Contains(true);
                if (anyEnabled ? id is null || !c.Mask[MemberNumber(id)] : id is not null)
                {
                    return false;
                }
            }

            return true;
        });
    }

    [PinnedProperty(300)]
    public Property RoundRobin_GivesEveryEligibleMemberTheSameShare()
    {
        Gen<(bool[] Mask, int Rounds)> cases = Gen.Zip(EnabledMasks.Where(m => m.Contains(true)), Gen.Choose(1, 20));

        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var cluster = new ClusterSelector("p", MaskedOptions(c.Mask, SelectionMode.RoundRobin));
            int eligible = c.Mask.Count(e => e);
            var counts = new int[c.Mask.Length];
            for (int i = 0; i < eligible * c.Rounds; i++)
            {
                counts[MemberNumber(cluster.SelectOnce()!)]++;
            }

            for (int m = 0; m < counts.Length; m++)
            {
                if (counts[m] != (c.Mask[m] ? c.Rounds : 0))
                {
                    return false;
                }
            }

            return true;
        });
    }

    [PinnedProperty(200)]
    public Property LeastLoaded_SelectionsInSequence_NeverPickAMemberMoreLoadedThanAnotherThatCouldTakeIt()
    {
        // Each member has its own limit (a custom policy), some are disabled; the steps take a lease (a selection) or
        // end one. Before each selection the test knows every member's in-flight count: the member picked must have
        // the lowest in-flight / limit of the enabled members below their limit (compared exactly, multiplied out).
        Gen<(int[] Limits, bool[] Enabled, int Seed, (bool Select, int Lease)[] Steps)> cases =
            from count in Gen.Choose(1, 10)
            from limits in Gen.ArrayOf(Gen.Choose(1, 6), count)
            from enabled in Gen.ArrayOf(Gen.Elements(true, true, true, false), count)
            from seed in Gen.Choose(0, int.MaxValue)
            from steps in Gen.ArrayOf(Gen.Zip(Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false))), Gen.Choose(0, 1_000)), 60)
            select (limits, enabled, seed, steps);

        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            int count = c.Limits.Length;
            var options = MaskedOptions(c.Enabled, SelectionMode.LeastLoaded);
            options.ThrottlePolicies.Add(new PerMemberLimitPolicy(Enumerable.Range(0, count).ToDictionary(i => $"gw-{i}", i => c.Limits[i])));
            using var cluster = new ClusterSelector("p", options, randomSource: RandomSource.FromSeed(c.Seed));
            var inFlight = new int[count];
            var leases = new List<MemberLease>();
            foreach ((bool select, int lease) in c.Steps)
            {
                if (!select)
                {
                    if (leases.Count > 0)
                    {
                        MemberLease ended = leases[lease % leases.Count];
                        leases.Remove(ended);
                        inFlight[MemberNumber(ended.MemberId)]--;
                        ended.Dispose();
                    }

                    continue;
                }

                int[] open = Enumerable.Range(0, count).Where(m => c.Enabled[m] && inFlight[m] < c.Limits[m]).ToArray();
                if (!cluster.TrySelect(out MemberLease taken, out _))
                {
                    if (open.Length > 0)
                    {
                        return false.Label($"failed although {string.Join(", ", open.Select(m => $"gw-{m}"))} could take it");
                    }

                    continue;
                }

                int chosen = MemberNumber(taken.MemberId);
                foreach (int other in open)
                {
                    // chosen's in-flight / limit must not exceed other's.
                    if ((long)inFlight[chosen] * c.Limits[other] > (long)inFlight[other] * c.Limits[chosen])
                    {
                        return false.Label($"picked gw-{chosen} ({inFlight[chosen]}/{c.Limits[chosen]}) over gw-{other} ({inFlight[other]}/{c.Limits[other]})");
                    }
                }

                inFlight[chosen]++;
                leases.Add(taken);
            }

            leases.ForEach(l => l.Dispose());
            return true.ToProperty();
        });
    }

    [Theory]
    [InlineData(10, new int[0])]
    [InlineData(10, new[] { 0, 3, 9 })]
    [InlineData(3, new[] { 1 })]
    [InlineData(5, new[] { 0, 1, 2, 3 })]
    public void Random_IsUniformOverTheEligibleMembers(int memberCount, int[] disabled)
    {
        const int Picks = 100_000;
        var cluster = new ClusterSelector("p", Clusters.Options(memberCount, SelectionMode.Random), randomSource: RandomSource.FromSeed(2026));
        foreach (int member in disabled)
        {
            cluster.SetMemberEnabled($"gw-{member}", false);
        }

        var counts = new int[memberCount];
        for (int i = 0; i < Picks; i++)
        {
            counts[MemberNumber(cluster.SelectOnce()!)]++;
        }

        int[] eligible = Enumerable.Range(0, memberCount).Except(disabled).ToArray();
        Assert.All(disabled, m => Assert.Equal(0, counts[m]));
        double expected = (double)Picks / eligible.Length;
        double chiSquare = eligible.Sum(m => (counts[m] - expected) * (counts[m] - expected) / expected);
        Assert.True(chiSquare < ChiSquareCritical001(eligible.Length - 1), $"counts {string.Join(", ", counts)}, chi-square {chiSquare:F2}");
    }

    [PinnedProperty(40)]
    public Property MembershipChangesRacingWithSelections_NeverYieldAMemberOutsideTheSnapshotRead()
    {
        // Two configurations with disjoint member ids. In failover mode each has exactly one right answer;
        // a selection that mixed one configuration's members with the other's enabled flags or order would
        // return some other member.
        Gen<(bool[] A, bool[] B, SelectionMode Mode)> cases =
            from a in EnabledMasks.Where(m => m.Contains(true))
            from b in EnabledMasks.Where(m => m.Contains(true))
            from mode in Gen.Elements(SelectionMode.Failover, SelectionMode.Random, SelectionMode.RoundRobin, SelectionMode.LeastLoaded)
            select (a, b, mode);

        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            ClusterOptions a = MaskedOptions(c.A, c.Mode, prefix: "a");
            ClusterOptions b = MaskedOptions(c.B, c.Mode, prefix: "b");
            var allowed = new HashSet<string>(Allowed(a).Concat(Allowed(b)));
            var cluster = new ClusterSelector("race", a);
            using var stop = new CancellationTokenSource();
            Task flapper = Task.Run(() =>
            {
                for (int i = 0; !stop.IsCancellationRequested && i < 100_000; i++)
                {
                    cluster.Reconfigure(i % 2 == 0 ? b : a);
                }
            });

            bool ok = true;
            for (int i = 0; i < 2_000 && ok; i++)
            {
                string? id = cluster.SelectOnce();
                ok = id is not null && allowed.Contains(id);
            }

            stop.Cancel();
            Assert.True(flapper.Wait(TimeSpan.FromSeconds(30)), "the reconfiguring thread did not stop");
            return ok;
        });

        static IEnumerable<string> Allowed(ClusterOptions options)
        {
            var enabled = options.Members.Where(m => m.Enabled).Select(m => m.Id).ToArray();
            return options.Mode == SelectionMode.Failover ? enabled.Take(1) : enabled;
        }
    }

    private static ClusterOptions MaskedOptions(bool[] mask, SelectionMode mode, string prefix = "gw")
    {
        var options = new ClusterOptions { Mode = mode };
        for (int i = 0; i < mask.Length; i++)
        {
            options.Members.Add(new ClusterMemberOptions($"{prefix}-{i}", enabled: mask[i]));
        }

        return options;
    }

    private static int MemberNumber(string id) => int.Parse(id.AsSpan(id.IndexOf('-', StringComparison.Ordinal) + 1), System.Globalization.CultureInfo.InvariantCulture);

    // Critical values of the chi-square distribution at p = 0.001, by degrees of freedom.
    private static double ChiSquareCritical001(int degreesOfFreedom) => degreesOfFreedom switch
    {
        0 => double.PositiveInfinity,
        1 => 10.83,
        2 => 13.82,
        3 => 16.27,
        4 => 18.47,
        5 => 20.52,
        6 => 22.46,
        7 => 24.32,
        8 => 26.12,
        9 => 27.88,
        _ => throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom)),
    };
}
