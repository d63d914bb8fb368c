using BenchmarkDotNet.Attributes;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// <see cref="SelectionMode.LeastLoaded"/> select + release against <see cref="SelectionMode.Random"/> (baseline) on
/// the same cluster shape (all policies on): the target is within 1.3x of Random at 10 members, 0 B. <c>Idle</c>: no
/// lease held, so every member ties and each selection draws among all of them (the most work a scan does).
/// <c>Loaded</c>: member <c>i</c> holds <c>i</c> leases, so the scan finds one least loaded member and draws nothing.
/// <c>ScanFloor</c>: the least a full scan does, with no cluster around it: read every member's in-flight stripes
/// (laid out as the library lays them out, summed as it sums them), compare the loads as cross products, then an
/// <see cref="Interlocked"/> increment + decrement pair on the chosen member's count; what a least-loaded
/// select + release cannot go under, next to <c>Random</c>.
/// <para>
/// <c>StripeCount</c> 0 keeps the library's rule (the processor count rounded up to a power of two: 2 on a 2-core
/// machine); 16 is what a machine with 9 to 16 logical processors gets, set through the library's runtime
/// configuration setting before the first member exists (each case runs in a process of its own). A scan reads every
/// member's stripes, so this shows what LeastLoaded costs on such a server.
/// </para>
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class LeastLoadedBenchmarks
{
    private ClusterSelector _random = null!;
    private ClusterSelector _idle = null!;
    private ClusterSelector _loaded = null!;
    private readonly List<MemberLease> _held = new();
    private int[][] _stripes = null!;
    private int[] _capacities = null!;

    [Params(3, 10)]
    public int MemberCount { get; set; }

    /// <summary>Gets or sets the stripe count to run with: 0 for the library's own rule.</summary>
    [Params(0, 16)]
    public int StripeCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        if (StripeCount > 0)
        {
            AppContext.SetData(Stripes.CountSetting, StripeCount);
        }

        _random = BenchmarkClusters.AllPoliciesOn(MemberCount, SelectionMode.Random);
        _idle = BenchmarkClusters.AllPoliciesOn(MemberCount, SelectionMode.LeastLoaded);
        _loaded = BenchmarkClusters.AllPoliciesOn(MemberCount, SelectionMode.LeastLoaded);
        int stripeCount = Stripes.Count; // As the library derived it (from the setting above, when set).
        if (StripeCount > 0 && stripeCount != StripeCount)
        {
            throw new InvalidOperationException($"The library counts {stripeCount} stripes, not {StripeCount}: something read them before the setting.");
        }

        _stripes = Enumerable.Range(0, MemberCount).Select(_ => new int[(stripeCount + 1) * 32]).ToArray();
        _capacities = Enumerable.Repeat(40, MemberCount).ToArray();
        for (int i = 0; i < MemberCount; i++)
        {
            _stripes[i][32] = i; // As in Loaded: member i holds i leases, so one member is least loaded.
        }

        string[] ids = Enumerable.Range(0, MemberCount).Select(i => $"gw-{i}").ToArray();
        for (int i = 0; i < MemberCount; i++)
        {
            string[] others = ids.Where(id => id != ids[i]).ToArray();
            for (int lease = 0; lease < i; lease++)
            {
                _held.Add(_loaded.TrySelect(others, out MemberLease held, out _) ? held : throw new InvalidOperationException("setup"));
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _held.ForEach(l => l.Dispose());
        _random.Dispose();
        _idle.Dispose();
        _loaded.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int Random() => BenchmarkClusters.SelectAndRelease(_random);

    [Benchmark]
    public int LeastLoadedIdle() => BenchmarkClusters.SelectAndRelease(_idle);

    [Benchmark]
    public int LeastLoadedLoaded() => BenchmarkClusters.SelectAndRelease(_loaded);

    [Benchmark]
    public int ScanFloor()
    {
        int[][] stripes = _stripes;
        int[] capacities = _capacities;
        int chosen = -1;
        long chosenInFlight = 0;
        long chosenCapacity = 1;
        for (int member = 0; member < stripes.Length; member++)
        {
            int[] counts = stripes[member];
            int inFlight = MemberSlots.SumOfStripes(counts);

            if (chosen < 0 || inFlight * chosenCapacity < chosenInFlight * capacities[member])
            {
                chosen = member;
                chosenInFlight = inFlight;
                chosenCapacity = capacities[member];
            }
        }

        int[] taken = stripes[chosen];
        Interlocked.Increment(ref taken[32]);
        Interlocked.Decrement(ref taken[32]);
        return chosen;
    }
}
