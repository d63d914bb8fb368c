using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Verification;

// The helpers of BadInputTests, nested so that they cannot clash with other files of the namespace.
public partial class BadInputTests
{
    /// <summary>
    /// Everything observable about a selector, captured so that a rejected call can be shown to have changed nothing:
    /// the published snapshot (by reference), the public status member by member, and the internal per-member state that
    /// the status does not show (refusal, penalty deadline, samples, verdict).
    /// </summary>
    private sealed class SelectorState
    {
        private readonly ClusterSnapshot _snapshot;
        private readonly ClusterView _cluster;
        private readonly MemberView[] _members;
        private readonly StateView[] _states;
        private readonly Func<Exception, bool>? _classifier;

        private SelectorState(ClusterSelector cluster)
        {
            _snapshot = cluster.Snapshot;
            ClusterStatus status = cluster.GetStatus();
            _cluster = ClusterView.Of(cluster, status);
            _members = status.Members.Select(MemberView.Of).ToArray();
            _states = _snapshot.Members.Select(m => StateView.Of(m.State, _snapshot.Clock.Now)).ToArray();
            _classifier = cluster.IsOfflineException;
        }

        /// <summary>Captures the selector. On <see cref="TimeProvider.System"/> the status timestamp is left out: it moves by itself.</summary>
        public static SelectorState Capture(ClusterSelector cluster) => new(cluster);

        public void AssertUnchanged(ClusterSelector cluster)
        {
            Assert.Same(_snapshot, cluster.Snapshot);
            ClusterStatus status = cluster.GetStatus();
            Assert.Equal(_cluster, ClusterView.Of(cluster, status));
            Assert.Equal(_members, status.Members.Select(MemberView.Of).ToArray());
            Assert.Equal(_states, _snapshot.Members.Select(m => StateView.Of(m.State, _snapshot.Clock.Now)).ToArray());
            Assert.Same(_classifier, cluster.IsOfflineException);
        }

        /// <summary>Whether nothing changed, without asserting, for tests that report several findings in one message.</summary>
        public bool Matches(ClusterSelector cluster)
        {
            try
            {
                AssertUnchanged(cluster);
                return true;
            }
            catch (Xunit.Sdk.XunitException)
            {
                return false;
            }
        }

        private sealed record ClusterView(string Name, SelectionMode Mode, DateTimeOffset? Timestamp, string Versions, int MemberCount, long PolicyFailures)
        {
            public static ClusterView Of(ClusterSelector cluster, ClusterStatus status) => new(
                status.ClusterName,
                status.Mode,
                cluster.TimeProvider == TimeProvider.System ? null : status.Timestamp,
                string.Join("|", status.Versions),
                cluster.MemberCount,
                cluster.ThrottlePolicyFailures);
        }

        private sealed record MemberView(
            string Id,
            string? Version,
            bool Enabled,
            int Index,
            int InFlight,
            MemberHealth Health,
            DateTimeOffset? PenalizedUntil,
            int ConsecutiveFailures,
            MemberRejectionReason Throttle,
            string? ThrottledBy,
            TimeSpan? ThrottleRetryAfter,
            double? CpuPercent,
            double? MemoryPercent,
            int? ConcurrencyLimit)
        {
            public static MemberView Of(MemberStatus m) => new(
                m.Id, m.Version, m.Enabled, m.Index, m.InFlight, m.Health, m.PenalizedUntil, m.ConsecutiveOfflineResults,
                m.Throttle, m.ThrottledBy, m.ThrottleRetryAfter, m.CpuPercent, m.MemoryPercent, m.ConcurrencyLimit);
        }

        private sealed record StateView(
            string Id,
            int InFlight,
            MemberHealth Health,
            int ConsecutiveOfflineResults,
            TimeSpan PenalizedUntil,
            ThrottleLimitKind RefusedFor,
            TimeSpan RefusedUntil,
            MemberVerdict Verdict,
            UtilizationWindow? Window,
            int Samples)
        {
            public static StateView Of(MemberState s, TimeSpan now) => new(
                s.Id, s.InFlight, s.Penalty.Health, s.Penalty.ConsecutiveOfflineResults, s.Penalty.PenalizedUntil, s.Throttle.RefusedFor, s.Throttle.RefusedUntil,
                s.Throttle.Verdict, s.Throttle.Utilization, s.Throttle.Utilization?.Compute(now).SampleCount ?? 0);
        }
    }

    /// <summary>
    /// A cluster in a state worth preserving, on a clock that stands still: members with versions (one disabled), CPU and
    /// memory samples (one member throttled for CPU), a penalized member, a refused member, round-robin mode and a lease
    /// held on the primary.
    /// </summary>
    private sealed class BusyCluster : IDisposable
    {
        public const string Name = "bad-input";

        private readonly MemberLease _lease;

        public BusyCluster()
        {
            Time = new FakeTimeProvider();
            var options = new ClusterOptions
            {
                Members = { new("gw-0", "1.0"), new("gw-1", "1.1"), new("gw-2", enabled: false), new("gw-3"), new("gw-4") },
                Mode = SelectionMode.RoundRobin,
                CPUUtilizationPercentageThreshold = 80,
                MemoryUtilizationPercentageThreshold = 90,
                ConcurrentOperationLimitPreview = 3,
                OfflinePenaltyJitter = 0,
                IsOfflineException = static ex => ex is TimeoutException,
            };
            Cluster = new ClusterSelector(Name, options, Time, RandomSource.FromSeed(7));
            Time.Advance(TimeSpan.FromSeconds(1));
            Assert.True(Cluster.ReportUtilization("gw-0", 40, 50));
            Assert.True(Cluster.ReportUtilization("gw-1", 95, 10));
            Assert.True(Cluster.ReportOffline("gw-3"));
            Assert.True(Cluster.ReportRefusal("gw-4", ThrottleLimitKind.Memory, TimeSpan.FromSeconds(20)));
            _lease = Cluster.Select();
            Assert.Equal("gw-0", _lease.MemberId);
        }

        public FakeTimeProvider Time { get; }

        public ClusterSelector Cluster { get; }

        public void Dispose() => _lease.Dispose();
    }

    /// <summary>A custom policy that throttles every member for as long as a <see cref="TimeSpan"/> can say: a valid decision.</summary>
    private sealed class ThrottleForever : ThrottlePolicy
    {
        public override string Name => "forever";

        public override ThrottleDecision Evaluate(in MemberLoad load) => ThrottleDecision.Throttle(TimeSpan.MaxValue);
    }
}
