using System.Threading.RateLimiting;
using BenchmarkDotNet.Attributes;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// The concurrency admission side by side with System.Threading.RateLimiting's <see cref="ConcurrencyLimiter"/>
/// (AttemptAcquire + Dispose, PermitLimit 40, no queue) and with a naive router (a lock, LINQ filtering into a list,
/// a count per member), one thread, nothing ever at its limit.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class AdmissionBenchmarks
{
    private ConcurrencyLimiter _limiter = null!;
    private ClusterSelector _single = null!;
    private ClusterSelector _ten = null!;
    private NaiveRouter _naive = null!;

    [GlobalSetup]
    public void Setup()
    {
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 40, QueueLimit = 0 });
        _single = BenchmarkClusters.AllPoliciesOn(1, SelectionMode.Failover);
        _ten = BenchmarkClusters.AllPoliciesOn(10, SelectionMode.Failover);
        _naive = new NaiveRouter(10, limit: 40);
    }

    [GlobalCleanup]
    public void Cleanup() => _limiter.Dispose();

    /// <summary>One permit of 40 taken and given back: the reference for a concurrency admission.</summary>
    [Benchmark(Baseline = true)]
    public bool ConcurrencyLimiterAcquireDispose()
    {
        using RateLimitLease lease = _limiter.AttemptAcquire();
        return lease.IsAcquired;
    }

    /// <summary>A one-member cluster with a limit of 40: the same admission, plus selection and a double-dispose-safe lease.</summary>
    [Benchmark]
    public int ClusterOneMember() => BenchmarkClusters.SelectAndRelease(_single);

    /// <summary>10 members, failover, all three policies on.</summary>
    [Benchmark]
    public int ClusterTenMembers() => BenchmarkClusters.SelectAndRelease(_ten);

    /// <summary>The same choice made naively: lock, filter with LINQ into a list, take the first, count it in and out under the lock.</summary>
    [Benchmark]
    public int NaiveLockLinqListTenMembers() => _naive.SelectAndRelease();

    private sealed class NaiveRouter
    {
        private readonly object _gate = new();
        private readonly List<Member> _members;

        public NaiveRouter(int members, int limit) =>
            _members = Enumerable.Range(0, members).Select(i => new Member($"gw-{i}", limit)).ToList();

        public int SelectAndRelease()
        {
            Member chosen;
            lock (_gate)
            {
                List<Member> eligible = _members.Where(m => m.Enabled && m.CpuPercent < 80 && m.MemoryPercent < 80 && m.InFlight < m.Limit).ToList();
                if (eligible.Count == 0)
                {
                    return -1;
                }

                chosen = eligible[0];
                chosen.InFlight++;
            }

            lock (_gate)
            {
                chosen.InFlight--;
            }

            return chosen.Id.Length;
        }

        private sealed class Member(string id, int limit)
        {
            public string Id { get; } = id;

            public bool Enabled { get; } = true;

            public double CpuPercent { get; } = 20;

            public double MemoryPercent { get; } = 30;

            public int Limit { get; } = limit;

            public int InFlight { get; set; }
        }
    }
}
