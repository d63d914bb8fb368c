namespace ClusterRouting.Tests.TestSupport;

/// <summary>Short ways for tests to reach the engine's internal state.</summary>
internal static class Internals
{
    extension(ClusterSelector cluster)
    {
        /// <summary>Gets the snapshot selections read now.</summary>
        public ClusterSnapshot Snapshot => cluster.State.Snapshot;

        /// <summary>Gets the cluster's clock.</summary>
        public TimeProvider TimeProvider => cluster.State.Clock.TimeProvider;

        /// <summary>Gets how many times a throttle policy threw (in Evaluate, Name or Kind).</summary>
        public long ThrottlePolicyFailures => cluster.State.Failures.CountOf(CallbackKind.ThrottlePolicy);

        /// <summary>Gets how many times user code of <paramref name="kind"/> threw.</summary>
        public long CallbackFailures(CallbackKind kind) => cluster.State.Failures.CountOf(kind);
    }

    extension(MemberState member)
    {
        /// <summary>Gets the member's operations in flight.</summary>
        public int InFlight => member.Slots.InFlight;
    }

    extension(Candidate candidate)
    {
        /// <summary>Gets the member the candidate stands for.</summary>
        public MemberState State => candidate.Slots.Member;
    }
}
