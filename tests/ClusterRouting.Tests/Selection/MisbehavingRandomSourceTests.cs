using ClusterRouting.Tests.TestSupport;

namespace ClusterRouting.Tests.Selection;

/// <summary>
/// A cluster's own <see cref="RandomSource"/> is user code. One that returns a value outside [0, maxValue) gets an
/// <see cref="InvalidOperationException"/> naming it, the value and the bound, from whichever draw of a selection it
/// spoiled; one that throws has its own exception propagate. Either way no slot is left taken and the next selection,
/// once the source behaves, is as before.
/// </summary>
/// <remarks>
/// Regression: such a value surfaced as an <see cref="IndexOutOfRangeException"/> from inside the selection, and in a
/// cluster of more than 64 members a LeastLoaded tie drawn past the tied members took a member outside the scanned
/// window, one the caller had excluded among them.
/// </remarks>
public class MisbehavingRandomSourceTests
{
    public static TheoryData<string, SelectionMode, int, bool, int[], int[], int[]> OutOfRangeDraws() => new()
    {
        // name, mode, members, gw-1 weighs 3, members held at a limit of 1, draws (the last one out of range), bounds drawn with
        { "Random, the first draw", SelectionMode.Random, 3, false, [], [3], [3] },
        { "Random, a draw after a busy member", SelectionMode.Random, 3, false, [0], [0, 2], [3, 2] },
        { "Random, a negative draw", SelectionMode.Random, 3, false, [], [-1], [3] },
        { "weighted Random, the first draw", SelectionMode.Random, 3, true, [], [5], [5] },
        { "weighted Random, a draw after a busy member", SelectionMode.Random, 3, true, [1], [0, 2], [5, 2] },
        { "LeastLoaded, a tie", SelectionMode.LeastLoaded, 3, false, [], [3], [3] },
        { "LeastLoaded, a tie at different capacities", SelectionMode.LeastLoaded, 3, true, [], [3], [3] },
        { "LeastLoaded over 64 members, the window's start", SelectionMode.LeastLoaded, 70, false, [], [70], [70] },
        { "LeastLoaded over 64 members, a tie", SelectionMode.LeastLoaded, 70, false, [], [0, 64], [70, 64] },
    };

    [Theory]
    [MemberData(nameof(OutOfRangeDraws))]
    public void Select_DrawOutOfRange_ThrowsNamingTheSource_AndTakesNoSlot(string name, SelectionMode mode, int members, bool weighted, int[] held, int[] draws, int[] bounds)
    {
        var source = new ScriptedSource(draws);
        using ClusterSelector cluster = Create(mode, members, weighted, source, held, out List<MemberLease> leases);

        var error = Assert.Throws<InvalidOperationException>(() => cluster.TrySelect(out MemberLease _, out SelectionFailure _));

        Assert.Equal(bounds, source.Bounds);
        Assert.Equal(
            $"The random source {typeof(ScriptedSource).FullName} returned {draws[^1]} from Next({bounds[^1]}): a RandomSource must return a value at least 0 and less than maxValue.",
            error.Message);
        Assert.Equal(held.Length, cluster.GetStatus().Members.Sum(m => m.InFlight));
        Assert.NotNull(cluster.SelectOnce()); // The script is over: the source draws 0 from now on.
        Assert.Equal(held.Length, cluster.GetStatus().Members.Sum(m => m.InFlight));
        leases.ForEach(l => l.Dispose());
        _ = name;
    }

    [Fact]
    public void Select_LeastLoadedTieOver64Members_DrawPastTheTied_NeverTakesAnExcludedMember()
    {
        // 70 idle members, gw-5 and gw-64 excluded: the window from gw-0 holds gw-0 to gw-63, of which the 63 but gw-5
        // tie. A tie drawn as 63 (one past them) found no tied member and took the one at the window's offset 64: gw-64.
        var source = new ScriptedSource([0, 63]);
        using ClusterSelector cluster = Create(SelectionMode.LeastLoaded, 70, false, source, [], out _);

        Assert.Throws<InvalidOperationException>(() => cluster.TrySelect(["gw-5", "gw-64"], out MemberLease _, out SelectionFailure _));

        Assert.Equal([70, 63], source.Bounds);
        Assert.Equal(0, cluster.GetStatus().Members.Sum(m => m.InFlight));
    }

    [Theory]
    [InlineData(SelectionMode.Random, false)]
    [InlineData(SelectionMode.Random, true)]
    [InlineData(SelectionMode.LeastLoaded, false)]
    public void Select_SourceThrowsAfterABusyMember_ItsExceptionPropagates_AndTakesNoSlot(SelectionMode mode, bool weighted)
    {
        // Random: gw-1 (drawn first, weighted or not) is busy, and the draw among the rest throws. LeastLoaded: gw-1 is
        // busy, so gw-0 and gw-2 tie, and the tie's draw throws.
        var source = new ScriptedSource(mode == SelectionMode.LeastLoaded ? [ScriptedSource.Throw] : [weighted ? 0 : 1, ScriptedSource.Throw]);
        using ClusterSelector cluster = Create(mode, 3, weighted, source, [1], out List<MemberLease> leases);

        var error = Assert.Throws<InvalidOperationException>(() => cluster.TrySelect(out MemberLease _, out SelectionFailure _));

        Assert.Same(ScriptedSource.Thrown, error);
        Assert.Equal(1, cluster.GetStatus().Members.Sum(m => m.InFlight));
        Assert.Equal(1, cluster.GetStatus().Members[1].InFlight);
        Assert.Equal("gw-0", cluster.SelectOnce());
        leases.ForEach(l => l.Dispose());
    }

    /// <summary>A cluster whose members (gw-1 weighing 3 when <paramref name="weighted"/>) take one operation each, with <paramref name="held"/> taken.</summary>
    private static ClusterSelector Create(SelectionMode mode, int members, bool weighted, ScriptedSource source, int[] held, out List<MemberLease> leases)
    {
        ClusterOptions options = Clusters.Options(members, mode);
        options.ConcurrentOperationLimitPreview = 1;
        if (weighted)
        {
            options.Members[1].Weight = 3;
        }

        var cluster = new ClusterSelector("bad-random", options, null, source);
        leases = new List<MemberLease>();
        source.Paused = true;
        foreach (int index in held)
        {
            string[] others = Enumerable.Range(0, members).Where(i => i != index).Select(i => $"gw-{i}").ToArray();
            Assert.True(cluster.TrySelect(others, out MemberLease lease, out _));
            leases.Add(lease);
        }

        source.Paused = false;
        return cluster;
    }

    /// <summary>Returns its script's values as they are (in range or not; <see cref="Throw"/> throws), then 0.</summary>
    private sealed class ScriptedSource(int[] script) : RandomSource
    {
        public const int Throw = int.MinValue;

        public static readonly InvalidOperationException Thrown = new("The source failed.");

        private int _next;

        public List<int> Bounds { get; } = new();

        /// <summary>While set, draws 0 without recording or advancing the script (the setup's selections).</summary>
        public bool Paused { get; set; }

        public override int Next(int maxValue)
        {
            if (Paused)
            {
                return 0;
            }

            if (_next >= script.Length)
            {
                return 0;
            }

            Bounds.Add(maxValue);
            int value = script[_next++];
            return value == Throw ? throw Thrown : value;
        }
    }
}
