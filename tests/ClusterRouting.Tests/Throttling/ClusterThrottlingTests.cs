using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Throttling;

public class ClusterThrottlingTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _logger = new();

    [Fact]
    public void Options_Defaults_AreTheGatewayDefaults()
    {
        var options = new ClusterOptions();

        Assert.Equal(0, options.CPUUtilizationPercentageThreshold);
        Assert.Equal(0, options.MemoryUtilizationPercentageThreshold);
        Assert.Equal(5, options.ResourceUtilizationAggregationTimeInMinutes);
        Assert.Equal(40, options.ConcurrentOperationLimitPreview);
        Assert.False(options.BypassConcurrentOperationLimit);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MemberRefusalCoolDown);
        Assert.Equal(ThrottlePolicyFailureMode.FailOpen, options.ThrottlePolicyFailureMode);
        Assert.Empty(options.ThrottlePolicies);
    }

    [Fact]
    public void Constructor_InvalidThrottlingSettings_ReportsEveryFieldAtOnce()
    {
        var options = new ClusterOptions
        {
            Members = { new("gw-1") },
            CPUUtilizationPercentageThreshold = -1,
            MemoryUtilizationPercentageThreshold = double.NaN,
            ResourceUtilizationAggregationTimeInMinutes = 0,
            ConcurrentOperationLimitPreview = 0,
            MemberRefusalCoolDown = TimeSpan.Zero,
            ThrottlePolicyFailureMode = (ThrottlePolicyFailureMode)9,
            ThrottlePolicies = { null! },
        };

        var error = Assert.Throws<ArgumentException>(() => new ClusterSelector("dq", options));

        string[] expected =
        [
            "Cluster 'dq': CPUUtilizationPercentageThreshold: The field dq.CPUUtilizationPercentageThreshold must be between 0 and 100.",
            "Cluster 'dq': MemoryUtilizationPercentageThreshold: The field dq.MemoryUtilizationPercentageThreshold must be between 0 and 100.",
            "Cluster 'dq': ResourceUtilizationAggregationTimeInMinutes: The field dq.ResourceUtilizationAggregationTimeInMinutes must be between 1 and 2147483647.",
            "Cluster 'dq': ConcurrentOperationLimitPreview: The field dq.ConcurrentOperationLimitPreview must be between 1 and 2147483647.",
            "Cluster 'dq': MemberRefusalCoolDown must be greater than zero (was 00:00:00).",
            "Cluster 'dq': ThrottlePolicyFailureMode 9 is not FailOpen or FailClosed.",
            "Cluster 'dq': ThrottlePolicies[0] must not be null.",
        ];
        Assert.Equal(string.Join(Environment.NewLine, expected) + " (Parameter 'options')", error.Message);
    }

    [Theory]
    [InlineData(101)]
    [InlineData(100.5)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_ThresholdOver100_IsRejected(double threshold)
    {
        var options = new ClusterOptions { Members = { new("gw-1") }, CPUUtilizationPercentageThreshold = threshold };

        var error = Assert.Throws<ArgumentException>(() => new ClusterSelector("c", options));

        Assert.Contains("Cluster 'c': CPUUtilizationPercentageThreshold: The field c.CPUUtilizationPercentageThreshold must be between 0 and 100.", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 100, true)]
    [InlineData(80, 79.99, true)]
    [InlineData(80, 80, false)]
    [InlineData(80, 95, false)]
    [InlineData(100, 99.9, true)]
    [InlineData(100, 100, false)]
    public void CpuThreshold_AtOrOverThrottles_ZeroDisables(double threshold, double sample, bool primaryServes)
    {
        ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = threshold);

        Assert.True(cluster.ReportUtilization("gw-0", sample, 0));

        Assert.Equal(primaryServes ? "gw-0" : "gw-1", cluster.SelectOnce());
    }

    [Theory]
    [InlineData(0, 100, true)]
    [InlineData(70, 69.9, true)]
    [InlineData(70, 70, false)]
    [InlineData(100, 100, false)]
    public void MemoryThreshold_AtOrOverThrottles_ZeroDisables(double threshold, double sample, bool primaryServes)
    {
        ClusterSelector cluster = Create(o => o.MemoryUtilizationPercentageThreshold = threshold);

        cluster.ReportUtilization("gw-0", 0, sample);

        Assert.Equal(primaryServes ? "gw-0" : "gw-1", cluster.SelectOnce());
    }

    [Fact]
    public void ReportUtilization_ComparesTheWindowAverageNotTheLastSample()
    {
        ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = 80);

        cluster.ReportUtilization("gw-0", 95, 0);
        Assert.Equal("gw-1", cluster.SelectOnce());
        _time.Advance(TimeSpan.FromSeconds(30));
        cluster.ReportUtilization("gw-0", 60, 0);

        Assert.Equal(77.5, cluster.GetStatus().Members[0].CpuPercent);
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void Window_SampleExactlyAtTheEdge_ExpiresWithoutANewSample()
    {
        ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = 80);
        cluster.ReportUtilization("gw-0", 90, 0);

        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.Equal("gw-1", cluster.SelectOnce());
        Assert.Equal(TimeSpan.FromTicks(1), cluster.GetStatus().Members[0].ThrottleRetryAfter);

        _time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal("gw-0", cluster.SelectOnce());
        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Null(primary.CpuPercent);
        Assert.Equal(MemberRejectionReason.None, primary.Throttle);
    }

    [Fact]
    public void Window_CustomLength_IsHonoured()
    {
        ClusterSelector cluster = Create(o =>
        {
            o.CPUUtilizationPercentageThreshold = 50;
            o.ResourceUtilizationAggregationTimeInMinutes = 1;
        });
        cluster.ReportUtilization("gw-0", 60, 0);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal("gw-1", cluster.SelectOnce());
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void Window_NoSample_MemberIsNotThrottledAndHasNoAverage()
    {
        ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = 1);

        MemberStatus primary = cluster.GetStatus().Members[0];

        Assert.Null(primary.CpuPercent);
        Assert.Null(primary.MemoryPercent);
        Assert.Equal("gw-0", cluster.SelectOnce());
        Assert.Null(cluster.State.TimerDue);
    }

    [Fact]
    public void Window_ManySamples_MemoryStaysBounded()
    {
        ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = 80);
        cluster.ReportUtilization("gw-0", 10, 10);
        long before = GC.GetAllocatedBytesForCurrentThread();

        for (int i = 0; i < 20_000; i++)
        {
            cluster.ReportUtilization("gw-0", 10, 10);
        }

        // Each report makes one verdict object; no per-sample storage.
        long perSample = (GC.GetAllocatedBytesForCurrentThread() - before) / 20_000;
        Assert.True(perSample < 200, $"{perSample} bytes per sample");
        Assert.Equal(10, cluster.GetStatus().Members[0].CpuPercent);
    }

    [Theory]
    [InlineData(-0.1, 0, "cpuPercent")]
    [InlineData(100.1, 0, "cpuPercent")]
    [InlineData(double.NaN, 0, "cpuPercent")]
    [InlineData(double.PositiveInfinity, 0, "cpuPercent")]
    [InlineData(0, -1, "memoryPercent")]
    [InlineData(0, 101, "memoryPercent")]
    [InlineData(0, double.NaN, "memoryPercent")]
    [InlineData(0, double.NegativeInfinity, "memoryPercent")]
    public void ReportUtilization_OutOfRange_ThrowsNamingTheArgumentAndRecordsNothing(double cpu, double memory, string paramName)
    {
        ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = 80);
        cluster.ReportUtilization("gw-0", 50, 50);
        ClusterSnapshot before = cluster.Snapshot;

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => cluster.ReportUtilization("gw-0", cpu, memory));

        Assert.Equal(paramName, error.ParamName);
        Assert.Same(before, cluster.Snapshot);
        Assert.Equal(50, cluster.GetStatus().Members[0].CpuPercent);
        Assert.Equal(50, cluster.GetStatus().Members[0].MemoryPercent);
    }

    [Fact]
    public void ReportUtilization_UnknownMemberOrBadId_ReturnsFalseOrThrows()
    {
        ClusterSelector cluster = Create();

        Assert.False(cluster.ReportUtilization("nope", 1, 1));
        Assert.Equal("memberId", Assert.ThrowsAny<ArgumentException>(() => cluster.ReportUtilization(" ", 1, 1)).ParamName);
        Assert.Equal("memberId", Assert.ThrowsAny<ArgumentException>(() => cluster.ReportUtilization(null!, 1, 1)).ParamName);
    }

    [Fact]
    public void ConcurrentOperationLimit_DefaultForty_FailsOverAtTheFortyFirst()
    {
        ClusterSelector cluster = Create();
        var leases = new List<MemberLease>();

        for (int i = 0; i < 40; i++)
        {
            leases.Add(cluster.Select());
        }

        Assert.All(leases, l => Assert.Equal("gw-0", l.MemberId));
        using (MemberLease overflow = cluster.Select())
        {
            Assert.Equal("gw-1", overflow.MemberId);
        }

        leases[0].Dispose();
        Assert.Equal("gw-0", cluster.SelectOnce());
        Assert.Equal(40, cluster.GetStatus().Members[0].ConcurrencyLimit);
    }

    [Fact]
    public void ConcurrentOperationLimit_Bypassed_HasNoLimit()
    {
        ClusterSelector cluster = Create(o => o.BypassConcurrentOperationLimit = true);

        for (int i = 0; i < 500; i++)
        {
            Assert.Equal("gw-0", cluster.Select().MemberId);
        }

        Assert.Equal(500, cluster.GetStatus().Members[0].InFlight);
        Assert.Null(cluster.GetStatus().Members[0].ConcurrencyLimit);
    }

    [Fact]
    public void ConcurrentOperationLimit_EveryMemberFull_FailsWithTheConcurrencySentence()
    {
        ClusterSelector cluster = Create(o => o.ConcurrentOperationLimitPreview = 1);
        cluster.Select();
        cluster.Select();

        var error = Assert.Throws<ClusterThrottledException>(() => cluster.Select());

        Assert.Equal("The gateway you selected can't establish data source connections because it's exceeded the concurrency limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.", error.Message);
        Assert.Equal(ThrottleLimitKind.Concurrency, error.Limit);
        Assert.All(error.Rejections, r => Assert.Equal(MemberRejectionReason.ConcurrencyLimit, r.Reason));
    }

    [Theory]
    [InlineData(SelectionMode.Failover)]
    [InlineData(SelectionMode.Random)]
    [InlineData(SelectionMode.RoundRobin)]
    public void ThrottledMember_IsSkippedInEveryMode(SelectionMode mode)
    {
        ClusterSelector cluster = Create(o =>
        {
            o.Mode = mode;
            o.CPUUtilizationPercentageThreshold = 80;
            o.Members.Add(new ClusterMemberOptions("gw-2"));
        });
        cluster.ReportUtilization("gw-1", 85, 0);

        string?[] picks = Enumerable.Range(0, 300).Select(_ => cluster.SelectOnce()).ToArray();

        Assert.DoesNotContain("gw-1", picks);
        if (mode != SelectionMode.Failover)
        {
            Assert.Contains("gw-2", picks);
        }
    }

    [Fact]
    public void Failover_ThrottledPrimary_HandsToNextInOrder_AndTrafficReturnsWhenItRecovers()
    {
        ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = 80);

        cluster.ReportUtilization("gw-0", 90, 0);
        Assert.Equal("gw-1", cluster.SelectOnce());

        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void AllThrottledForCpu_FailsWithTheCpuSentenceAndARetryAfterHint()
    {
        ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = 80);
        cluster.ReportUtilization("gw-0", 90, 0);
        _time.Advance(TimeSpan.FromMinutes(1));
        cluster.ReportUtilization("gw-1", 90, 0);

        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));
        Assert.True(failure.IsThrottled);
        var error = Assert.IsType<ClusterThrottledException>(failure.ToException());

        Assert.Equal("The gateway you selected can't establish data source connections because it's exceeded the CPU limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.", error.Message);
        Assert.Equal(ThrottleLimitKind.Cpu, error.Limit);
        Assert.Equal("gw-0", error.MemberId);
        Assert.Equal("test", error.ClusterName);
        Assert.Equal(TimeSpan.FromMinutes(4), error.RetryAfter);
        Assert.Equal(new MemberRejection("gw-0", MemberRejectionReason.CpuLimit, TimeSpan.FromMinutes(4)), error.Rejections[0]);
        Assert.Equal(new MemberRejection("gw-1", MemberRejectionReason.CpuLimit, TimeSpan.FromMinutes(5)), error.Rejections[1]);
        Assert.IsAssignableFrom<NoMemberAvailableException>(error);
    }

    [Fact]
    public void AllThrottledForMemory_FailsWithTheMemorySentence()
    {
        ClusterSelector cluster = Create(o => o.MemoryUtilizationPercentageThreshold = 50);
        cluster.ReportUtilization("gw-0", 0, 60);
        cluster.ReportUtilization("gw-1", 0, 60);

        var error = Assert.Throws<ClusterThrottledException>(() => cluster.Select());

        Assert.Equal("The gateway you selected can't establish data source connections because it's exceeded the memory limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.", error.Message);
        Assert.Equal(ThrottleLimitKind.Memory, error.Limit);
    }

    [Fact]
    public void MixedLimits_MessageIsTheFirstThrottledMemberInOrder_RejectionsSayWhichLimitStoppedWhich()
    {
        ClusterSelector cluster = Create(o =>
        {
            o.CPUUtilizationPercentageThreshold = 80;
            o.MemoryUtilizationPercentageThreshold = 80;
            o.ConcurrentOperationLimitPreview = 1;
            o.Members.Insert(0, new ClusterMemberOptions("disabled", enabled: false));
        });
        cluster.ReportUtilization("gw-0", 10, 95);
        MemberLease busy = cluster.Select();
        Assert.Equal("gw-1", busy.MemberId);

        var error = Assert.Throws<ClusterThrottledException>(() => cluster.Select());

        Assert.Equal(GatewayMessages.Memory, error.Message);
        Assert.Equal("gw-0", error.MemberId);
        Assert.Equal(
            new[] { MemberRejectionReason.Disabled, MemberRejectionReason.MemoryLimit, MemberRejectionReason.ConcurrencyLimit },
            error.Rejections.Select(r => r.Reason));

        cluster.ReportUtilization("gw-1", 99, 0);
        busy.Dispose();
        Assert.Equal(GatewayMessages.Memory, Assert.Throws<ClusterThrottledException>(() => cluster.Select()).Message);
    }

    [Fact]
    public void AllMembersDisabled_IsNotAThrottlingFailure()
    {
        ClusterSelector cluster = Create();
        cluster.SetMemberEnabled("gw-0", false);
        cluster.SetMemberEnabled("gw-1", false);

        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));

        Assert.False(failure.IsThrottled);
        Assert.IsType<NoMemberAvailableException>(failure.ToException());
    }

    [Fact]
    public void AdmissionOnly_LeaseTakenBelowTheThresholdSurvivesALaterRise()
    {
        ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = 80);
        MemberLease lease = cluster.Select();

        cluster.ReportUtilization("gw-0", 99, 99);

        Assert.True(lease.IsAcquired);
        Assert.Equal(1, cluster.GetStatus().Members[0].InFlight);
        Assert.Equal("gw-1", cluster.SelectOnce());
        lease.Dispose();
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
    }

    [Fact]
    public void ReportRefusal_RoutesAroundTheMemberForTheCoolDown()
    {
        ClusterSelector cluster = Create(o => o.MemberRefusalCoolDown = TimeSpan.FromSeconds(20));

        Assert.True(cluster.ReportRefusal("GW-0", ThrottleLimitKind.Cpu));

        Assert.Equal("gw-1", cluster.SelectOnce());
        MemberStatus primary = cluster.GetStatus().Members[0];
        Assert.Equal(MemberRejectionReason.CpuLimit, primary.Throttle);
        Assert.Equal(TimeSpan.FromSeconds(20), primary.ThrottleRetryAfter);
        _time.Advance(TimeSpan.FromSeconds(19));
        Assert.Equal("gw-1", cluster.SelectOnce());
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("gw-0", cluster.SelectOnce());
        FakeLogRecord refused = Assert.Single(_logger.WithEvent("MemberRefused"));
        Assert.Equal(ThrottleLimitKind.Cpu.ToString(), refused.GetStructuredStateValue("Limit"));
        Assert.Single(_logger.WithEvent("MemberThrottled"));
        Assert.Single(_logger.WithEvent("MemberUnthrottled"));
    }

    [Fact]
    public void ReportRefusal_EveryMember_FailsWithTheRefusedLimitAndTheRemainingCoolDown()
    {
        ClusterSelector cluster = Create();
        cluster.ReportRefusal("gw-0", ThrottleLimitKind.Memory, TimeSpan.FromSeconds(10));
        cluster.ReportRefusal("gw-1", ThrottleLimitKind.Concurrency, TimeSpan.FromSeconds(40));
        _time.Advance(TimeSpan.FromSeconds(4));

        var error = Assert.Throws<ClusterThrottledException>(() => cluster.Select());

        Assert.Equal(GatewayMessages.Memory, error.Message);
        Assert.Equal(TimeSpan.FromSeconds(6), error.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(36), error.Rejections[1].RetryAfter);
    }

    [Fact]
    public void ReportRefusal_InvalidArguments_ThrowNamingThemAndChangeNothing()
    {
        ClusterSelector cluster = Create();
        ClusterSnapshot before = cluster.Snapshot;

        Assert.Equal("limit", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.ReportRefusal("gw-0", ThrottleLimitKind.Custom)).ParamName);
        Assert.Equal("limit", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.ReportRefusal("gw-0", (ThrottleLimitKind)77)).ParamName);
        Assert.Equal("coolDown", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.Zero)).ParamName);
        Assert.Equal("coolDown", Assert.Throws<ArgumentOutOfRangeException>(() => cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromSeconds(-1))).ParamName);
        Assert.Equal("memberId", Assert.ThrowsAny<ArgumentException>(() => cluster.ReportRefusal("", ThrottleLimitKind.Cpu)).ParamName);
        Assert.False(cluster.ReportRefusal("nope", ThrottleLimitKind.Cpu));

        Assert.Same(before, cluster.Snapshot);
    }

    [Fact]
    public void CustomPolicy_ThrottlesAndIsNamedInTheFailure()
    {
        var policy = new MemberListPolicy("maintenance-window", "gw-0", "gw-1");
        ClusterSelector cluster = Create(o => o.ThrottlePolicies.Add(policy));

        var error = Assert.Throws<ClusterThrottledException>(() => cluster.Select());

        Assert.Equal(ThrottleLimitKind.Custom, error.Limit);
        Assert.Equal("maintenance-window", error.PolicyName);
        Assert.Equal("The gateway you selected can't establish data source connections because it's exceeded the maintenance-window limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.", error.Message);
        Assert.Equal(new MemberRejection("gw-0", MemberRejectionReason.PolicyLimit, null, "maintenance-window"), error.Rejections[0]);
        Assert.Equal("maintenance-window", cluster.GetStatus().Members[1].ThrottledBy);
    }

    [Fact]
    public void CustomPolicy_SmallerConcurrencyLimitWins()
    {
        ClusterSelector cluster = Create(o => o.ThrottlePolicies.Add(new FixedConcurrencyPolicy(2)));

        Assert.Equal("gw-0", cluster.Select().MemberId);
        Assert.Equal("gw-0", cluster.Select().MemberId);
        Assert.Equal("gw-1", cluster.Select().MemberId);
        Assert.Equal("gw-1", cluster.Select().MemberId);
        Assert.False(cluster.TrySelect(out _, out SelectionFailure failure));

        MemberRejection rejection = failure.GetRejection(0);
        Assert.Equal(MemberRejectionReason.PolicyLimit, rejection.Reason);
        Assert.Equal("fixed", rejection.PolicyName);
        Assert.Equal(2, cluster.GetStatus().Members[0].ConcurrencyLimit);
    }

    [Fact]
    public void CustomPolicy_Throws_FailOpen_AdmitsLogsAndCounts()
    {
        var policy = new ThrowingPolicy();
        ClusterSelector cluster = Create(o => o.ThrottlePolicies.Add(policy));

        Assert.Equal("gw-0", cluster.SelectOnce());
        Assert.Equal(2, cluster.ThrottlePolicyFailures);
        cluster.ReportUtilization("gw-1", 5, 5);
        Assert.Equal(3, cluster.ThrottlePolicyFailures);

        FakeLogRecord[] failures = _logger.WithEvent("ThrottlePolicyFailed");
        Assert.Equal(3, failures.Length);
        Assert.Equal(LogLevel.Error, failures[0].Level);
        Assert.IsType<InvalidOperationException>(failures[0].Exception);
        Assert.Equal("throws", failures[0].GetStructuredStateValue("PolicyName"));
        Assert.Equal(ThrottlePolicyFailureMode.FailOpen.ToString(), failures[0].GetStructuredStateValue("FailureMode"));
        Assert.Equal(40, cluster.GetStatus().Members[0].ConcurrencyLimit);
    }

    [Fact]
    public void CustomPolicy_Throws_FailClosed_ThrottlesTheMember()
    {
        var policy = new ThrowingPolicy { ThrowFor = "gw-0" };
        ClusterSelector cluster = Create(o =>
        {
            o.ThrottlePolicies.Add(policy);
            o.ThrottlePolicyFailureMode = ThrottlePolicyFailureMode.FailClosed;
        });

        Assert.Equal("gw-1", cluster.SelectOnce());
        Assert.Equal(MemberRejectionReason.PolicyLimit, cluster.GetStatus().Members[0].Throttle);
        Assert.Equal(1, cluster.ThrottlePolicyFailures);

        policy.ThrowFor = null;
        cluster.ReportUtilization("gw-0", 1, 1);
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void Reconfigure_NewThresholdAppliesToSamplesAlreadyReceived()
    {
        ClusterOptions options = Options(o => o.CPUUtilizationPercentageThreshold = 90);
        var cluster = new ClusterSelector("test", options, _time, logger: _logger);
        cluster.ReportUtilization("gw-0", 85, 0);
        Assert.Equal("gw-0", cluster.SelectOnce());

        options.CPUUtilizationPercentageThreshold = 80;
        cluster.Reconfigure(options);

        Assert.Equal("gw-1", cluster.SelectOnce());
        Assert.Equal(85, cluster.GetStatus().Members[0].CpuPercent);
    }

    [Fact]
    public void Reconfigure_NewWindow_StartsTheAveragesAfresh()
    {
        ClusterOptions options = Options(o => o.CPUUtilizationPercentageThreshold = 80);
        var cluster = new ClusterSelector("test", options, _time);
        cluster.ReportUtilization("gw-0", 95, 0);

        options.ResourceUtilizationAggregationTimeInMinutes = 10;
        cluster.Reconfigure(options);

        Assert.Null(cluster.GetStatus().Members[0].CpuPercent);
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void Reconfigure_LowerConcurrencyLimit_KeepsLeasesAndAdmitsNoMoreThanTheNewLimit()
    {
        ClusterOptions options = Options();
        var cluster = new ClusterSelector("test", options, _time);
        var leases = Enumerable.Range(0, 5).Select(_ => cluster.Select()).ToList();

        options.ConcurrentOperationLimitPreview = 3;
        cluster.Reconfigure(options);

        Assert.Equal(5, cluster.GetStatus().Members[0].InFlight);
        Assert.Equal("gw-1", cluster.SelectOnce());
        leases.ForEach(l => l.Dispose());
        Assert.Equal(0, cluster.GetStatus().Members[0].InFlight);
        Assert.Equal("gw-0", cluster.SelectOnce());
    }

    [Fact]
    public void AddMember_GetsTheConcurrencyLimitOfTheCluster()
    {
        ClusterSelector cluster = Create(o => o.ConcurrentOperationLimitPreview = 2);

        cluster.AddMember("gw-new");

        Assert.Equal(2, cluster.GetStatus().Members[2].ConcurrencyLimit);
    }

    [Fact]
    public void RemovedMemberWithPendingExpiry_DoesNotKeepTheTimerArmed()
    {
        ClusterSelector cluster = Create(o => o.CPUUtilizationPercentageThreshold = 80);
        cluster.ReportUtilization("gw-0", 90, 0);
        Assert.NotNull(cluster.State.TimerDue);

        cluster.RemoveMember("gw-0");
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal("gw-1", cluster.SelectOnce());
        Assert.Null(cluster.State.TimerDue);
    }

    private ClusterSelector Create(Action<ClusterOptions>? configure = null) =>
        new("test", Options(configure), _time, logger: _logger);

    private static ClusterOptions Options(Action<ClusterOptions>? configure = null)
    {
        ClusterOptions options = Clusters.Options(2);
        configure?.Invoke(options);
        return options;
    }

    private sealed class MemberListPolicy(string name, params string[] members) : ThrottlePolicy
    {
        public override string Name => name;

        public override ThrottleDecision Evaluate(in MemberLoad load) =>
            members.Contains(load.MemberId) ? ThrottleDecision.Throttle() : ThrottleDecision.Admit;
    }

    private sealed class FixedConcurrencyPolicy(int limit) : ThrottlePolicy
    {
        public override string Name => "fixed";

        public override ThrottleDecision Evaluate(in MemberLoad load) => ThrottleDecision.LimitConcurrency(limit);
    }

    private sealed class ThrowingPolicy : ThrottlePolicy
    {
        public string? ThrowFor { get; set; } = "*";

        public override string Name => "throws";

        public override ThrottleDecision Evaluate(in MemberLoad load) =>
            ThrowFor == "*" || ThrowFor == load.MemberId ? throw new InvalidOperationException("policy bug") : ThrottleDecision.Admit;
    }
}
