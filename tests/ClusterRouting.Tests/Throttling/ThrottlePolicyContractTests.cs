namespace ClusterRouting.Tests.Throttling;

/// <summary>
/// The contract every throttle policy keeps; each policy's test class inherits these tests
/// (as runtime's rate limiter tests inherit BaseRateLimiterTests).
/// </summary>
public abstract class ThrottlePolicyContractTests
{
    protected static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    protected abstract ThrottlePolicy CreatePolicy();

    /// <summary>A load under the policy's limit: the decision must admit the member without throttling it.</summary>
    protected abstract MemberLoad LoadUnderTheLimit { get; }

    /// <summary>A load at or over the policy's limit: the decision must throttle the member or limit its concurrency.</summary>
    protected abstract MemberLoad LoadAtTheLimit { get; }

    protected static MemberLoad Load(double? cpu = null, double? memory = null, int inFlight = 0) =>
        new("gw-1", cpu, memory, cpu is null && memory is null ? 0 : 1, Window, cpu is null && memory is null ? null : TimeSpan.FromSeconds(42), inFlight);

    [Fact]
    public void Name_IsNotEmpty()
    {
        Assert.False(string.IsNullOrWhiteSpace(CreatePolicy().Name));
    }

    [Fact]
    public void Kind_IsDefined()
    {
        Assert.True(Enum.IsDefined(CreatePolicy().Kind));
    }

    [Fact]
    public void Evaluate_UnderTheLimit_DoesNotThrottle()
    {
        ThrottleDecision decision = CreatePolicy().Evaluate(LoadUnderTheLimit);

        Assert.False(decision.IsThrottled);
    }

    [Fact]
    public void Evaluate_AtTheLimit_ThrottlesOrLimitsConcurrency()
    {
        ThrottleDecision decision = CreatePolicy().Evaluate(LoadAtTheLimit);

        Assert.True(decision.IsThrottled || decision.ConcurrencyLimit <= LoadAtTheLimit.InFlight);
    }

    [Fact]
    public void Evaluate_SameLoadTwice_SameDecision()
    {
        ThrottlePolicy policy = CreatePolicy();

        Assert.Equal(policy.Evaluate(LoadAtTheLimit), policy.Evaluate(LoadAtTheLimit));
        Assert.Equal(policy.Evaluate(LoadUnderTheLimit), policy.Evaluate(LoadUnderTheLimit));
    }

    /// <summary>
    /// A retry-after is a promise to callers (it becomes <see cref="ClusterThrottledException.RetryAfter"/>). Zero
    /// promises an admission now that the same load refuses; and a policy that judges the load cannot see further than
    /// the window, since every sample it judged has left the window by then.
    /// </summary>
    [Fact]
    public void Evaluate_AtTheLimit_RetryAfterIfAnyIsPositiveAndWithinTheWindow()
    {
        ThrottleDecision decision = CreatePolicy().Evaluate(LoadAtTheLimit);

        if (decision.RetryAfter is TimeSpan retryAfter)
        {
            Assert.InRange(retryAfter, TimeSpan.FromTicks(1), LoadAtTheLimit.Window);
        }
    }

    [Fact]
    public void Select_MemberAtTheLimit_TakesExactlyItsConcurrencyLimitOrNothing_ThenTheNextGoesToGw2()
    {
        ThrottleDecision atTheLimit = CreatePolicy().Evaluate(LoadAtTheLimit);
        var policy = new ReplayPolicy(CreatePolicy(), LoadAtTheLimit);
        var options = new ClusterOptions { Members = { new("gw-1"), new("gw-2") }, BypassConcurrentOperationLimit = true, ThrottlePolicies = { policy } };
        using var cluster = new ClusterSelector("contract", options);

        // Bounded by the load's operations in flight, so a policy that admits everything fails here instead of the
        // loop below running to int.MaxValue.
        Assert.True(atTheLimit.IsThrottled || atTheLimit.ConcurrencyLimit <= LoadAtTheLimit.InFlight, $"at the limit the policy decided {atTheLimit}");
        int onGw1 = atTheLimit.IsThrottled ? 0 : atTheLimit.ConcurrencyLimit;
        var leases = new List<MemberLease>();
        try
        {
            // Failover order: gw-1 takes every operation it may, and the one after goes to gw-2.
            for (int i = 0; i <= onGw1; i++)
            {
                leases.Add(cluster.Select());
            }

            Assert.Equal(Enumerable.Repeat("gw-1", onGw1).Append("gw-2"), leases.Select(l => l.MemberId));
        }
        finally
        {
            leases.ForEach(l => l.Dispose());
        }

        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    /// <summary>Evaluates the inner policy for gw-1 as if it had the given load, and admits everyone else.</summary>
    private sealed class ReplayPolicy(ThrottlePolicy inner, MemberLoad load) : ThrottlePolicy
    {
        public override string Name => inner.Name;

        public override ThrottleLimitKind Kind => inner.Kind;

        public override ThrottleDecision Evaluate(in MemberLoad actual) =>
            actual.MemberId == load.MemberId ? inner.Evaluate(load) : ThrottleDecision.Admit;
    }
}

public class CpuThrottlePolicyTests : ThrottlePolicyContractTests
{
    protected override MemberLoad LoadUnderTheLimit => Load(cpu: 79.99, memory: 100);

    protected override MemberLoad LoadAtTheLimit => Load(cpu: 80, memory: 0);

    [Fact]
    public void Evaluate_OverTheThreshold_ThrottlesWithTheWindowExpiryAsRetryAfter()
    {
        ThrottleDecision decision = CreatePolicy().Evaluate(Load(cpu: 95));

        Assert.Equal(ThrottleDecision.Throttle(TimeSpan.FromSeconds(42)), decision);
        Assert.Equal(ThrottleLimitKind.Cpu, CreatePolicy().Kind);
    }

    [Fact]
    public void Evaluate_NoSampleInTheWindow_Admits()
    {
        Assert.Equal(ThrottleDecision.Admit, CreatePolicy().Evaluate(Load()));
    }

    protected override ThrottlePolicy CreatePolicy() => UtilizationThrottlePolicy.Cpu(80);
}

public class MemoryThrottlePolicyTests : ThrottlePolicyContractTests
{
    protected override MemberLoad LoadUnderTheLimit => Load(cpu: 100, memory: 69.5);

    protected override MemberLoad LoadAtTheLimit => Load(cpu: 0, memory: 70);

    [Fact]
    public void Evaluate_NoSampleInTheWindow_Admits()
    {
        Assert.Equal(ThrottleDecision.Admit, CreatePolicy().Evaluate(Load()));
        Assert.Equal(ThrottleLimitKind.Memory, CreatePolicy().Kind);
    }

    protected override ThrottlePolicy CreatePolicy() => UtilizationThrottlePolicy.Memory(70);
}

public class ConcurrencyThrottlePolicyTests : ThrottlePolicyContractTests
{
    protected override MemberLoad LoadUnderTheLimit => Load(inFlight: 0);

    protected override MemberLoad LoadAtTheLimit => Load(inFlight: 3);

    [Fact]
    public void Evaluate_AnyLoad_LimitsConcurrencyWithoutThrottling()
    {
        ThrottleDecision decision = CreatePolicy().Evaluate(Load(cpu: 100, memory: 100, inFlight: 50));

        Assert.False(decision.IsThrottled);
        Assert.Equal(3, decision.ConcurrencyLimit);
        Assert.Equal(ThrottleLimitKind.Concurrency, CreatePolicy().Kind);
    }

    protected override ThrottlePolicy CreatePolicy() => new ConcurrencyThrottlePolicy(3);
}

/// <summary>A custom policy, as a user would write one: throttle members whose CPU and memory are both high.</summary>
public class CustomThrottlePolicyTests : ThrottlePolicyContractTests
{
    protected override MemberLoad LoadUnderTheLimit => Load(cpu: 90, memory: 10);

    protected override MemberLoad LoadAtTheLimit => Load(cpu: 90, memory: 90);

    protected override ThrottlePolicy CreatePolicy() => new BothHighPolicy();

    internal sealed class BothHighPolicy : ThrottlePolicy
    {
        public override string Name => "combined-load";

        public override ThrottleDecision Evaluate(in MemberLoad load) =>
            load.CpuPercent >= 85 && load.MemoryPercent >= 85 ? ThrottleDecision.Throttle(TimeSpan.FromMinutes(1)) : ThrottleDecision.Admit;
    }
}
