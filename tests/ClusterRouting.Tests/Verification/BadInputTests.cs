using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Verification;

/// <summary>
/// Every public entry point fed null, empty, whitespace, duplicate, out-of-range, non-finite and undefined values:
/// each call must throw the exact argument exception naming the argument (or, for options, naming the cluster and the
/// field) and leave the selector exactly as it was.
/// </summary>
public partial class BadInputTests
{
    private const string Blank = "   ";
    private const string Controls = "\t\r\n";

    // ---- ClusterSelector constructor -------------------------------------------------------------------------------

    [Theory]
    [InlineData(null, typeof(ArgumentNullException))]
    [InlineData("", typeof(ArgumentException))]
    [InlineData(Blank, typeof(ArgumentException))]
    [InlineData(Controls, typeof(ArgumentException))]
    public void Constructor_NullEmptyOrWhitespaceName_ThrowsNamingClusterName(string? name, Type expected)
    {
        Exception ex = Assert.Throws(expected, () => new ClusterSelector(name!, Clusters.Options(2)));

        Assert.Equal("clusterName", ((ArgumentException)ex).ParamName);
    }

    [Fact]
    public void Constructor_NullOptions_ThrowsArgumentNullExceptionNamingOptions()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => new ClusterSelector(BusyCluster.Name, null!));

        Assert.Equal("options", ex.ParamName);
    }

    public static TheoryData<string> InvalidOptionCases => new(InvalidOptions.Cases.Keys);

    [Theory]
    [MemberData(nameof(InvalidOptionCases))]
    public void Constructor_InvalidOptions_ThrowsArgumentExceptionNamingClusterAndField(string @case)
    {
        (Func<ClusterOptions, ClusterOptions> spoil, string field) = InvalidOptions.Cases[@case];
        ClusterOptions options = spoil(Clusters.Options(2));

        var ex = Assert.Throws<ArgumentException>(() => new ClusterSelector(BusyCluster.Name, options));

        Assert.Equal("options", ex.ParamName);
        Assert.Contains($"Cluster '{BusyCluster.Name}': {field}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_SeveralInvalidFields_ListsEveryProblemEachNamingTheCluster()
    {
        var options = new ClusterOptions
        {
            Members = { new("gw-0"), new("GW-0"), null!, new(Blank) },
            Mode = (SelectionMode)7,
            CPUUtilizationPercentageThreshold = double.NaN,
            ConcurrentOperationLimitPreview = 0,
            MemberRefusalCoolDown = TimeSpan.Zero,
            OfflinePenaltyBaseDuration = TimeSpan.FromSeconds(-1),
            ThrottlePolicyFailureMode = (ThrottlePolicyFailureMode)5,
            ThrottlePolicies = { null! },
        };

        var ex = Assert.Throws<ArgumentException>(() => new ClusterSelector(BusyCluster.Name, options));

        string[] fields =
        [
            "Members[1].Id", "Members[2]", "Members[3].Id", "Mode", "CPUUtilizationPercentageThreshold", "ConcurrentOperationLimitPreview",
            "MemberRefusalCoolDown", "OfflinePenaltyBaseDuration", "ThrottlePolicyFailureMode", "ThrottlePolicies[0]",
        ];
        Assert.All(fields, field => Assert.Contains($"Cluster '{BusyCluster.Name}': {field}", ex.Message, StringComparison.Ordinal));
        string[] lines = ex.Message[..ex.Message.LastIndexOf(" (Parameter", StringComparison.Ordinal)].Split(Environment.NewLine);
        Assert.Equal(fields.Length, lines.Length);
        Assert.All(lines, line => Assert.StartsWith($"Cluster '{BusyCluster.Name}': ", line, StringComparison.Ordinal));
    }

    // ---- Reconfigure ------------------------------------------------------------------------------------------------

    [Fact]
    public void Reconfigure_NullOptions_ThrowsArgumentNullExceptionAndChangesNothing()
    {
        using var busy = new BusyCluster();
        SelectorState before = SelectorState.Capture(busy.Cluster);

        var ex = Assert.Throws<ArgumentNullException>(() => busy.Cluster.Reconfigure(null!));

        Assert.Equal("options", ex.ParamName);
        before.AssertUnchanged(busy.Cluster);
    }

    [Theory]
    [MemberData(nameof(InvalidOptionCases))]
    public void Reconfigure_InvalidOptions_ThrowsArgumentExceptionNamingClusterAndFieldAndChangesNothing(string @case)
    {
        using var busy = new BusyCluster();
        (Func<ClusterOptions, ClusterOptions> spoil, string field) = InvalidOptions.Cases[@case];
        ClusterOptions valid = Clusters.Options(3, SelectionMode.Random);
        valid.ResourceUtilizationAggregationTimeInMinutes = 1;
        valid.IsOfflineException = static _ => true;
        ClusterOptions options = spoil(valid);
        SelectorState before = SelectorState.Capture(busy.Cluster);

        var ex = Assert.Throws<ArgumentException>(() => busy.Cluster.Reconfigure(options));

        Assert.Equal("options", ex.ParamName);
        Assert.Contains($"Cluster '{BusyCluster.Name}': {field}", ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(busy.Cluster);
    }

    // ---- Member id arguments ----------------------------------------------------------------------------------------

    public static TheoryData<string, string?, Type> BlankIdCases()
    {
        var data = new TheoryData<string, string?, Type>();
        foreach (string method in IdEntryPoints)
        {
            data.Add(method, null, typeof(ArgumentNullException));
            data.Add(method, string.Empty, typeof(ArgumentException));
            data.Add(method, Blank, typeof(ArgumentException));
            data.Add(method, Controls, typeof(ArgumentException));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BlankIdCases))]
    public void MemberIdEntryPoints_NullEmptyOrWhitespaceId_ThrowNamingTheIdAndChangeNothing(string method, string? id, Type expected)
    {
        using var busy = new BusyCluster();
        SelectorState before = SelectorState.Capture(busy.Cluster);

        Exception ex = Assert.Throws(expected, () => CallWithId(busy.Cluster, method, id!));

        Assert.Equal(method is "AddMember" or "RemoveMember" or "SetMemberEnabled" ? "id" : "memberId", ((ArgumentException)ex).ParamName);
        before.AssertUnchanged(busy.Cluster);
    }

    public static TheoryData<string, string> UnknownIdCases()
    {
        var data = new TheoryData<string, string>();
        foreach (string method in IdEntryPoints.Where(m => m != "AddMember"))
        {
            data.Add(method, "gw-9");
            data.Add(method, "gw-0 ");
            data.Add(method, " gw-0");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(UnknownIdCases))]
    public void MemberIdEntryPoints_UnknownId_ReturnFalseAndChangeNothing(string method, string id)
    {
        using var busy = new BusyCluster();
        SelectorState before = SelectorState.Capture(busy.Cluster);

        bool? result = CallWithId(busy.Cluster, method, id);

        Assert.False(result);
        before.AssertUnchanged(busy.Cluster);
    }

    [Theory]
    [InlineData("gw-0")]
    [InlineData("GW-0")]
    [InlineData("Gw-2")]
    [InlineData("gw-3")]
    public void AddMember_DuplicateIdIgnoringCase_ThrowsArgumentExceptionNamingIdAndChangesNothing(string id)
    {
        using var busy = new BusyCluster();
        SelectorState before = SelectorState.Capture(busy.Cluster);

        var ex = Assert.Throws<ArgumentException>(() => busy.Cluster.AddMember(id, "9.9", enabled: true));

        Assert.Equal("id", ex.ParamName);
        Assert.Contains(BusyCluster.Name, ex.Message, StringComparison.Ordinal);
        before.AssertUnchanged(busy.Cluster);
    }

    [Fact]
    public void AddMember_ClusterAtTheMemberLimit_ThrowsCapacityExceededAndChangesNothing()
    {
        using var busy = new BusyCluster();
        for (int i = busy.Cluster.MemberCount; i < ClusterLimits.MaxMembers; i++)
        {
            busy.Cluster.AddMember($"extra-{i}");
        }

        SelectorState before = SelectorState.Capture(busy.Cluster);

        var ex = Assert.Throws<ClusterCapacityExceededException>(() => busy.Cluster.AddMember("one-too-many"));

        Assert.Equal(BusyCluster.Name, ex.ClusterName);
        Assert.Equal(ClusterLimits.MaxMembers, ex.MemberCount);
        before.AssertUnchanged(busy.Cluster);
    }

    [Theory]
    [InlineData(null, null, typeof(ArgumentNullException))]
    [InlineData("", null, typeof(ArgumentException))]
    [InlineData("  ", null, typeof(ArgumentException))]
    [InlineData("GW-1", null, typeof(ArgumentException))]
    [InlineData("gw-new", "ftp://10.0.0.5/", typeof(ArgumentException))]
    [InlineData("gw-new", "relative/path", typeof(ArgumentException))]
    public void AddMember_BadMemberOptions_ThrowsNamingMemberAndChangesNothing(string? id, string? address, Type expected)
    {
        using var busy = new BusyCluster();
        SelectorState before = SelectorState.Capture(busy.Cluster);
        ClusterMemberOptions? member = id is null && address is null && expected == typeof(ArgumentNullException)
            ? null
            : new ClusterMemberOptions(id!) { Address = address is null ? null : new Uri(address, UriKind.RelativeOrAbsolute) };

        Exception ex = Assert.Throws(expected, () => busy.Cluster.AddMember(member!));

        Assert.Equal("member", ((ArgumentException)ex).ParamName);
        before.AssertUnchanged(busy.Cluster);
    }

    [Fact]
    public void TrySelect_NullExclusions_ThrowsArgumentNullNamingTheArgumentAndChangesNothing()
    {
        using var busy = new BusyCluster();
        SelectorState before = SelectorState.Capture(busy.Cluster);

        var ex = Assert.Throws<ArgumentNullException>(() => busy.Cluster.TrySelect(null!, out _, out _));

        Assert.Equal("excludedMemberIds", ex.ParamName);
        before.AssertUnchanged(busy.Cluster);
    }

    // ---- Mode -------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void Mode_UndefinedValue_ThrowsArgumentOutOfRangeNamingValueAndChangesNothing(int mode)
    {
        using var busy = new BusyCluster();
        SelectorState before = SelectorState.Capture(busy.Cluster);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => busy.Cluster.Mode = (SelectionMode)mode);

        Assert.Equal("value", ex.ParamName);
        Assert.Equal((SelectionMode)mode, ex.ActualValue);
        before.AssertUnchanged(busy.Cluster);
    }

    [Fact]
    public void Mode_SetToTheCurrentValue_PublishesNothing()
    {
        using var busy = new BusyCluster();
        SelectorState before = SelectorState.Capture(busy.Cluster);

        busy.Cluster.Mode = SelectionMode.RoundRobin;

        before.AssertUnchanged(busy.Cluster);
    }

    // ---- ReportUtilization ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(-1d)]
    [InlineData(101d)]
    [InlineData(-0.000001)]
    [InlineData(100.000001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.MaxValue)]
    [InlineData(double.MinValue)]
    public void ReportUtilization_PercentageOutOfRange_ThrowsArgumentOutOfRangeNamingItAndChangesNothing(double bad)
    {
        using var busy = new BusyCluster();
        SelectorState before = SelectorState.Capture(busy.Cluster);

        var cpu = Assert.Throws<ArgumentOutOfRangeException>(() => busy.Cluster.ReportUtilization("gw-0", bad, 50));
        var memory = Assert.Throws<ArgumentOutOfRangeException>(() => busy.Cluster.ReportUtilization("gw-0", 50, bad));
        var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => busy.Cluster.ReportUtilization("gw-9", 50, bad));

        Assert.Equal("cpuPercent", cpu.ParamName);
        Assert.Equal("memoryPercent", memory.ParamName);
        Assert.Equal("memoryPercent", unknown.ParamName);
        before.AssertUnchanged(busy.Cluster);
    }

    [Theory]
    [InlineData(0d, 0d)]
    [InlineData(100d, 100d)]
    [InlineData(0d, 100d)]
    public void ReportUtilization_BoundaryPercentages_AreAccepted(double cpu, double memory)
    {
        using var busy = new BusyCluster();

        Assert.True(busy.Cluster.ReportUtilization("gw-0", cpu, memory));
    }

    // ---- ReportRefusal ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(ThrottleLimitKind.Custom)]
    [InlineData((ThrottleLimitKind)4)]
    [InlineData((ThrottleLimitKind)(-1))]
    [InlineData((ThrottleLimitKind)int.MaxValue)]
    public void ReportRefusal_LimitNotCpuMemoryOrConcurrency_ThrowsArgumentOutOfRangeNamingLimitAndChangesNothing(ThrottleLimitKind limit)
    {
        using var busy = new BusyCluster();
        SelectorState before = SelectorState.Capture(busy.Cluster);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => busy.Cluster.ReportRefusal("gw-0", limit, TimeSpan.FromSeconds(1)));

        Assert.Equal("limit", ex.ParamName);
        before.AssertUnchanged(busy.Cluster);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(-10_000_000L)]
    [InlineData(long.MinValue)]
    public void ReportRefusal_CoolDownNotPositive_ThrowsArgumentOutOfRangeNamingCoolDownAndChangesNothing(long ticks)
    {
        using var busy = new BusyCluster();
        SelectorState before = SelectorState.Capture(busy.Cluster);

        var known = Assert.Throws<ArgumentOutOfRangeException>(() => busy.Cluster.ReportRefusal("gw-0", ThrottleLimitKind.Cpu, TimeSpan.FromTicks(ticks)));
        var unknown = Assert.Throws<ArgumentOutOfRangeException>(() => busy.Cluster.ReportRefusal("gw-9", ThrottleLimitKind.Cpu, TimeSpan.FromTicks(ticks)));

        Assert.Equal("coolDown", known.ParamName);
        Assert.Equal("coolDown", unknown.ParamName);
        before.AssertUnchanged(busy.Cluster);
    }

    // ---- Long but valid durations -----------------------------------------------------------------------------------
    //
    // Every duration below passes validation: cool-downs and retry-afters only need to be greater than zero (or not
    // negative), and the penalty cap only needs to be at least the base. The cluster must apply them, or reject them
    // as an argument error that changed nothing; it must not overflow its clock, exceed what TimeProvider.System's
    // timers accept (4294967294 ms, about 49.7 days), or change state and then throw.

    [Theory]
    [InlineData(60 * TimeSpan.TicksPerDay)]
    [InlineData(long.MaxValue)]
    public void ReportRefusal_CoolDownBeyondTheTimerRange_RefusesTheMemberOrThrowsArgumentOutOfRangeChangingNothing(long ticks)
    {
        var cluster = new ClusterSelector(BusyCluster.Name, Clusters.Options(2));
        SelectorState before = SelectorState.Capture(cluster);

        Exception? ex = Record.Exception(() => cluster.ReportRefusal("gw-0", ThrottleLimitKind.Concurrency, TimeSpan.FromTicks(ticks)));

        if (ex is null)
        {
            Assert.Equal(MemberRejectionReason.ConcurrencyLimit, cluster.GetStatus().Members[0].Throttle);
        }
        else
        {
            bool unchanged = before.Matches(cluster);
            Assert.True(
                ex is ArgumentOutOfRangeException { ParamName: "coolDown" } && unchanged,
                $"ReportRefusal threw {Describe(ex)}, and the cluster {(unchanged ? "did not change" : "changed")}.");
        }
    }

    [Theory]
    [InlineData(60 * TimeSpan.TicksPerDay)]
    [InlineData(long.MaxValue)]
    public async Task ExecuteAsync_MemberRefusesWithRetryAfterBeyondTheTimerRange_RunsOnTheNextMember(long ticks)
    {
        // Documented: the cluster routes around the refusing member and runs the operation on the next candidate.
        var cluster = new ClusterSelector(BusyCluster.Name, Clusters.Options(2));

        Exception? ex = await Record.ExceptionAsync(async () => Assert.Equal("gw-1", await cluster.ExecuteAsync((lease, _) => lease.MemberId == "gw-0"
            ? throw new MemberRefusedException(ThrottleLimitKind.Cpu, TimeSpan.FromTicks(ticks))
            : ValueTask.FromResult(lease.MemberId))));

        Assert.True(ex is null, $"ExecuteAsync threw {(ex is null ? null : Describe(ex))}");
        Assert.Equal(MemberRejectionReason.CpuLimit, cluster.GetStatus().Members[0].Throttle);
        Assert.All(cluster.GetStatus().Members, m => Assert.Equal(0, m.InFlight));
    }

    [Fact]
    public void ReportOffline_PenaltyCapOfTimeSpanMaxValue_KeepsPenalizingAndStatusStaysReadable()
    {
        // OfflinePenaltyMaxDuration = TimeSpan.MaxValue: a cap that is never reached. Each offline result doubles the
        // penalty from one day; neither reporting nor reading the status may fail.
        var options = new ClusterOptions
        {
            Members = { new("gw-0"), new("gw-1") },
            OfflinePenaltyBaseDuration = TimeSpan.FromDays(1),
            OfflinePenaltyMaxDuration = TimeSpan.MaxValue,
            OfflinePenaltyJitter = 0,
        };
        var cluster = new ClusterSelector(BusyCluster.Name, options);
        var problems = new List<string>();

        for (int failures = 1; failures <= 40; failures++)
        {
            int before = cluster.Snapshot.Members[0].State.Penalty.ConsecutiveOfflineResults;
            Exception? report = Record.Exception(() => Assert.True(cluster.ReportOffline("gw-0")));
            if (report is not null)
            {
                problems.Add($"offline result {failures}: ReportOffline threw {Describe(report)}; ConsecutiveOfflineResults went from {before} to {cluster.Snapshot.Members[0].State.Penalty.ConsecutiveOfflineResults}");
            }

            Exception? status = Record.Exception(() => Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[0].Health));
            if (status is not null)
            {
                problems.Add($"offline result {failures}: GetStatus threw {Describe(status)}");
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Take(4)));
    }

    [Fact]
    public void OfflinePenalty_CapBeyondTheTimerRange_TheDeadlineTimerIsRearmedWithoutThrowing()
    {
        // A 60-day cap is valid. The first penalty (200 ms) arms the deadline timer; when it fires, the member's next
        // deadline is the 60-day penalty. On TimeProvider.System, a timer callback that throws ends the process.
        // FakeTimeProvider's timers keep the limit of System.Threading.Timer: a due time over 4294967294 ms (about 49.7
        // days) throws ArgumentOutOfRangeException. The deadline timer catches what arming throws and counts it as a
        // timer failure, so the count, not only the advance, shows whether a longer wait was ever armed.
        var clock = new FakeTimeProvider();
        var options = new ClusterOptions
        {
            Members = { new("gw-0"), new("gw-1") },
            OfflinePenaltyBaseDuration = TimeSpan.FromMilliseconds(200),
            OfflinePenaltyMaxDuration = TimeSpan.FromDays(60),
            OfflinePenaltyJitter = 0,
        };
        var cluster = new ClusterSelector(BusyCluster.Name, options, clock);
        for (int i = 0; i < 30; i++)
        {
            Assert.True(cluster.ReportOffline("gw-0"));
        }

        Exception? ex = Record.Exception(() => clock.Advance(TimeSpan.FromSeconds(1)));

        Assert.True(ex is null, $"The deadline timer's callback threw {(ex is null ? null : Describe(ex))}");
        Assert.Equal(0, cluster.CallbackFailures(CallbackKind.Timer));
        Assert.NotNull(cluster.State.TimerDue);
        Assert.Equal(MemberHealth.Penalized, cluster.GetStatus().Members[0].Health);
    }

    [Fact]
    public void ThrottlePolicy_ThrottlesForTimeSpanMaxValue_EveryEvaluationAppliesIt()
    {
        // ThrottleDecision.Throttle accepts any retry-after that is not negative.
        var options = new ClusterOptions { Members = { new("gw-0"), new("gw-1") }, ThrottlePolicies = { new ThrottleForever() } };
        ClusterSelector? cluster = null;

        Exception? ex = Record.Exception(() =>
        {
            cluster = new ClusterSelector(BusyCluster.Name, options);
            Thread.Sleep(1);
            Assert.True(cluster.ReportUtilization("gw-0", 10, 10));
            cluster.AddMember("gw-2");
        });

        Assert.True(ex is null, $"Evaluating the policy threw {(ex is null ? null : Describe(ex))}");
        Assert.All(cluster!.GetStatus().Members, m => Assert.Equal(MemberRejectionReason.PolicyLimit, m.Throttle));
    }

    [Fact]
    public void Reconfigure_PolicyThrottlesForTimeSpanMaxValue_AppliesOrChangesNothing()
    {
        using var busy = new BusyCluster();
        ClusterOptions options = Clusters.Options(2);
        options.ResourceUtilizationAggregationTimeInMinutes = 1;
        options.IsOfflineException = static _ => true;
        options.ThrottlePolicies.Add(new ThrottleForever());
        SelectorState before = SelectorState.Capture(busy.Cluster);

        Exception? ex = Record.Exception(() => busy.Cluster.Reconfigure(options));

        if (ex is null)
        {
            Assert.All(busy.Cluster.GetStatus().Members, m => Assert.Equal(MemberRejectionReason.PolicyLimit, m.Throttle));
        }
        else
        {
            bool unchanged = before.Matches(busy.Cluster);
            Assert.True(
                ex is ArgumentException && unchanged,
                $"Reconfigure threw {Describe(ex)}, and the cluster {(unchanged ? "did not change" : "changed")} (the rejected options' IsOfflineException is now in force: {ReferenceEquals(options.IsOfflineException, busy.Cluster.IsOfflineException)}).");
        }
    }

    // ---- ExecuteAsync -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task ExecuteAsync_NullOperation_ThrowsArgumentNullExceptionNamingOperationAndChangesNothing()
    {
        using var busy = new BusyCluster();
        SelectorState before = SelectorState.Capture(busy.Cluster);

        var direct = await Assert.ThrowsAsync<ArgumentNullException>(async () => await busy.Cluster.ExecuteAsync<int>(null!));
        var withState = await Assert.ThrowsAsync<ArgumentNullException>(async () => await busy.Cluster.ExecuteAsync<string, int>("state", null!));
        var throughInterface = await Assert.ThrowsAsync<ArgumentNullException>(async () => await ((IClusterSelector)busy.Cluster).ExecuteAsync<int>(null!));

        Assert.Equal("operation", direct.ParamName);
        Assert.Equal("operation", withState.ParamName);
        Assert.Equal("operation", throughInterface.ParamName);
        before.AssertUnchanged(busy.Cluster);
    }

    [Fact]
    public async Task ExecuteAsync_AlreadyCanceled_ThrowsOperationCanceledWithoutRunningOrTakingALease()
    {
        using var busy = new BusyCluster();
        using var canceled = new CancellationTokenSource();
        await canceled.CancelAsync();
        SelectorState before = SelectorState.Capture(busy.Cluster);
        int runs = 0;

        await Assert.ThrowsAsync<OperationCanceledException>(async () => await busy.Cluster.ExecuteAsync(
            (_, _) =>
            {
                runs++;
                return ValueTask.FromResult(0);
            },
            canceled.Token));

        Assert.Equal(0, runs);
        before.AssertUnchanged(busy.Cluster);
    }

    // ---- ThrottleDecision -------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(-1L)]
    [InlineData(-10_000_000L)]
    [InlineData(long.MinValue)]
    public void ThrottleDecisionThrottle_NegativeRetryAfter_ThrowsArgumentOutOfRangeNamingRetryAfter(long ticks)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ThrottleDecision.Throttle(TimeSpan.FromTicks(ticks)));

        Assert.Equal("retryAfter", ex.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void ThrottleDecisionLimitConcurrency_LessThanOne_ThrowsArgumentOutOfRangeNamingTheLimit(int limit)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ThrottleDecision.LimitConcurrency(limit));

        Assert.Equal("maxConcurrentOperations", ex.ParamName);
    }

    // ---- Exceptions -------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(ThrottleLimitKind.Custom)]
    [InlineData((ThrottleLimitKind)4)]
    [InlineData((ThrottleLimitKind)(-1))]
    public void MemberRefusedException_LimitNotCpuMemoryOrConcurrency_ThrowsArgumentOutOfRangeNamingLimit(ThrottleLimitKind limit)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MemberRefusedException(limit));

        Assert.Equal("limit", ex.ParamName);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void MemberRefusedException_RetryAfterNotPositive_ThrowsArgumentOutOfRangeNamingRetryAfter(long ticks)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new MemberRefusedException(ThrottleLimitKind.Memory, TimeSpan.FromTicks(ticks)));

        Assert.Equal("retryAfter", ex.ParamName);
    }

    [Fact]
    public void NoMemberAvailableException_NullArguments_ThrowArgumentNullExceptionNamingThem()
    {
        MemberRejection[] rejections = [new("gw-0", MemberRejectionReason.Disabled)];

        var name = Assert.Throws<ArgumentNullException>(() => new NoMemberAvailableException(null!, rejections));
        var list = Assert.Throws<ArgumentNullException>(() => new NoMemberAvailableException("c", (IReadOnlyList<MemberRejection>)null!));

        Assert.Equal("clusterName", name.ParamName);
        Assert.Equal("rejections", list.ParamName);
    }

    [Fact]
    public void NoMemberAvailableException_BothArgumentsNull_NamesTheFirst()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new NoMemberAvailableException(null!, (IReadOnlyList<MemberRejection>)null!));

        Assert.Equal("clusterName", error.ParamName);
    }

    [Fact]
    public void OtherExceptionConstructors_NullArguments_ThrowArgumentNullExceptionNamingThem()
    {
        MemberRejection[] rejections = [new("gw-0", MemberRejectionReason.Disabled)];
        MemberAttempt[] attempts = [new("gw-0", AttemptOutcome.Offline, new MemberOfflineException())];

        Assert.Equal("clusterName", Assert.Throws<ArgumentNullException>(() => new PrimaryUnavailableException(null!, rejections)).ParamName);
        Assert.Equal("rejections", Assert.Throws<ArgumentNullException>(() => new PrimaryUnavailableException("c", (IReadOnlyList<MemberRejection>)null!)).ParamName);
        Assert.Equal("rejections", Assert.Throws<ArgumentNullException>(() => new ClusterThrottledException("c", ThrottleLimitKind.Cpu, "gw-0", null, null, null!)).ParamName);
        Assert.Equal("clusterName", Assert.Throws<ArgumentNullException>(() => new ClusterThrottledException(null!, ThrottleLimitKind.Cpu, "gw-0", null, null, rejections)).ParamName);
        Assert.Equal("clusterName", Assert.Throws<ArgumentNullException>(() => new AllMembersFailedException(null!, attempts)).ParamName);
        Assert.Equal("attempts", Assert.Throws<ArgumentNullException>(() => new AllMembersFailedException("c", (IReadOnlyList<MemberAttempt>)null!)).ParamName);
        Assert.Equal("memberId", Assert.Throws<ArgumentNullException>(() => new MemberAttempt(null!, AttemptOutcome.Refused, new MemberRefusedException())).ParamName);
        Assert.Equal("exception", Assert.Throws<ArgumentNullException>(() => new MemberAttempt("gw-0", AttemptOutcome.Refused, null!)).ParamName);
    }

    // ---- RandomSource -----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void RandomSourceNext_NegativeMaxValue_ThrowsArgumentOutOfRangeNamingMaxValue(int maxValue)
    {
        Assert.Equal("maxValue", Assert.Throws<ArgumentOutOfRangeException>(() => RandomSource.Shared.Next(maxValue)).ParamName);
        Assert.Equal("maxValue", Assert.Throws<ArgumentOutOfRangeException>(() => RandomSource.FromSeed(1).Next(maxValue)).ParamName);
    }

    [Fact]
    public void RandomSourceNext_ZeroMaxValue_ThrowsArgumentOutOfRangeNamingMaxValue()
    {
        // Documented: "maxValue: the exclusive upper bound; at least 1", returning a value "less than maxValue",
        // which no value is for 0.
        Assert.Equal("maxValue", Assert.Throws<ArgumentOutOfRangeException>(() => RandomSource.Shared.Next(0)).ParamName);
        Assert.Equal("maxValue", Assert.Throws<ArgumentOutOfRangeException>(() => RandomSource.FromSeed(1).Next(0)).ParamName);
    }

    [Theory]
    [InlineData(int.MinValue)]
    [InlineData(0)]
    [InlineData(int.MaxValue)]
    public void RandomSourceFromSeed_AnySeed_YieldsValuesInRange(int seed)
    {
        RandomSource random = RandomSource.FromSeed(seed);

        Assert.All(Enumerable.Range(1, 200), bound => Assert.InRange(random.Next(bound), 0, bound - 1));
        Assert.Equal(0, random.Next(1));
    }

    [Fact]
    public void Constructor_NullRandomSourceAndClock_UsesTheDefaults()
    {
        var cluster = new ClusterSelector(BusyCluster.Name, Clusters.Options(3, SelectionMode.Random), timeProvider: null, randomSource: null);

        Assert.Same(TimeProvider.System, cluster.TimeProvider);
        Assert.NotNull(cluster.SelectOnce());
    }

    // ---- SelectionFailure and MemberLease defaults ------------------------------------------------------------------

    [Theory]
    [InlineData(-1)]
    [InlineData(5)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    public void SelectionFailureGetRejection_IndexOutsideTheMembers_ThrowsArgumentOutOfRangeNamingIndex(int index)
    {
        using var busy = new BusyCluster();
        busy.Cluster.Reconfigure(new ClusterOptions
        {
            Members = { new("gw-0", enabled: false), new("gw-1", enabled: false), new("gw-2", enabled: false), new("gw-3", enabled: false), new("gw-4", enabled: false) },
        });
        Assert.False(busy.Cluster.TrySelect(out _, out SelectionFailure failure));
        Assert.Equal(5, failure.MemberCount);
        SelectorState before = SelectorState.Capture(busy.Cluster);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => failure.GetRejection(index));

        Assert.Equal("index", ex.ParamName);
        Assert.Equal(index, ex.ActualValue);
        before.AssertUnchanged(busy.Cluster);
    }

    [Fact]
    public void SelectionFailureDefault_DescribesNoFailure()
    {
        SelectionFailure failure = default;

        Assert.False(failure.IsFailure);
        Assert.False(failure.IsThrottled);
        Assert.Equal(0, failure.MemberCount);
        Assert.Equal(string.Empty, failure.ClusterName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => failure.GetRejection(0)).ParamName);
        Assert.Throws<InvalidOperationException>(() => failure.ToException());
        Assert.Equal("No failure", failure.ToString());
    }

    [Fact]
    public void MemberLeaseDefault_HoldsNothingAndDisposesHarmlessly()
    {
        using var busy = new BusyCluster();
        SelectorState before = SelectorState.Capture(busy.Cluster);
        MemberLease lease = default;

        Assert.False(lease.IsAcquired);
        Assert.False(lease.IsPrimary);
        Assert.False(lease.IsProbe);
        Assert.Equal(-1, lease.MemberIndex);
        Assert.Equal("(no member)", lease.ToString());
        Assert.Throws<InvalidOperationException>(() => lease.MemberId);
        lease.Dispose();
        lease.Dispose();

        before.AssertUnchanged(busy.Cluster);
    }

    [Fact]
    public void MemberLease_DisposedTwiceOrThroughAStaleCopy_ReleasesOnce()
    {
        using var busy = new BusyCluster();
        MemberLease lease = busy.Cluster.Select();
        MemberLease copy = lease;
        int inFlight = lease.Member!.InFlight;

        lease.Dispose();
        lease.Dispose();
        copy.Dispose();
        MemberLease next = busy.Cluster.Select();
        copy.Dispose();

        Assert.Equal(inFlight - 1 + (ReferenceEquals(next.Member, lease.Member) ? 1 : 0), lease.Member!.InFlight);
        next.Dispose();
    }

    // ---- Hosting ----------------------------------------------------------------------------------------------------

    [Fact]
    public void AddClusterRouting_NullArguments_ThrowArgumentNullExceptionNamingThem()
    {
        var services = new ServiceCollection();
        IConfiguration configuration = new ConfigurationBuilder().Build();

        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddClusterRouting()).ParamName);
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddClusterRouting(configuration)).ParamName);
        Assert.Equal("configuration", Assert.Throws<ArgumentNullException>(() => services.AddClusterRouting(null!)).ParamName);
        Assert.Empty(services);
    }

    [Theory]
    [InlineData(null, typeof(ArgumentNullException))]
    [InlineData("", typeof(ArgumentException))]
    [InlineData(Blank, typeof(ArgumentException))]
    [InlineData(Controls, typeof(ArgumentException))]
    public void AddClusterAndAddThrottlePolicy_NullEmptyOrWhitespaceName_ThrowNamingItAndRegisterNothing(string? name, Type expected)
    {
        IClusterRoutingBuilder builder = new ServiceCollection().AddClusterRouting();
        int registrations = builder.Services.Count;
        IConfiguration section = new ConfigurationBuilder().Build();

        Exception inCode = Assert.Throws(expected, () => builder.AddCluster(name!, o => o.Members.Add(new("gw-0"))));
        Exception bound = Assert.Throws(expected, () => builder.AddCluster(name!, section));
        Exception policy = Assert.Throws(expected, () => builder.AddThrottlePolicy<ThrottleForever>(name!));

        Assert.Equal("name", ((ArgumentException)inCode).ParamName);
        Assert.Equal("name", ((ArgumentException)bound).ParamName);
        Assert.Equal("clusterName", ((ArgumentException)policy).ParamName);
        Assert.Equal(registrations, builder.Services.Count);
    }

    [Fact]
    public void AddCluster_NullBuilderConfigureOrSection_ThrowArgumentNullExceptionNamingThemAndRegisterNothing()
    {
        IClusterRoutingBuilder builder = new ServiceCollection().AddClusterRouting();
        int registrations = builder.Services.Count;
        IConfiguration section = new ConfigurationBuilder().Build();

        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ((IClusterRoutingBuilder)null!).AddCluster("orders", o => o.Members.Add(new("gw-0")))).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ((IClusterRoutingBuilder)null!).AddCluster("orders", section)).ParamName);
        Assert.Equal("builder", Assert.Throws<ArgumentNullException>(() => ((IClusterRoutingBuilder)null!).AddThrottlePolicy<ThrottleForever>("orders")).ParamName);
        Assert.Equal("configure", Assert.Throws<ArgumentNullException>(() => builder.AddCluster("orders", (Action<ClusterOptions>)null!)).ParamName);
        Assert.Equal("section", Assert.Throws<ArgumentNullException>(() => builder.AddCluster("orders", (IConfiguration)null!)).ParamName);
        Assert.Equal(registrations, builder.Services.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AddCluster_DuplicateName_ThrowsArgumentExceptionNamingNameAndRegistersNothing(bool fromConfiguration)
    {
        IClusterRoutingBuilder builder = new ServiceCollection().AddClusterRouting().AddCluster("orders", o => o.Members.Add(new("gw-0")));
        int registrations = builder.Services.Count;

        var ex = Assert.Throws<ArgumentException>(() => fromConfiguration
            ? builder.AddCluster("orders", new ConfigurationBuilder().Build())
            : builder.AddCluster("orders", o => o.Members.Add(new("gw-1"))));

        Assert.Equal("name", ex.ParamName);
        Assert.Contains("'orders'", ex.Message, StringComparison.Ordinal);
        Assert.Equal(registrations, builder.Services.Count);
    }

    [Theory]
    [InlineData(null, typeof(ArgumentNullException))]
    [InlineData("", typeof(ArgumentException))]
    [InlineData(Blank, typeof(ArgumentException))]
    [InlineData("payments", typeof(ArgumentException))]
    [InlineData("ORDERS", typeof(ArgumentException))]
    [InlineData("orders ", typeof(ArgumentException))]
    public void GetCluster_NullOrUnknownName_ThrowsNamingClusterNameAndChangesNothing(string? name, Type expected)
    {
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider());
        services.AddClusterRouting().AddCluster("orders", o => o.Members.Add(new("gw-0")));
        using ServiceProvider provider = services.BuildServiceProvider();
        IClusterSelectorProvider clusters = provider.GetRequiredService<IClusterSelectorProvider>();
        var orders = (ClusterSelector)clusters.GetCluster("orders");
        SelectorState before = SelectorState.Capture(orders);

        Exception ex = Assert.Throws(expected, () => clusters.GetCluster(name!));

        Assert.Equal("clusterName", ((ArgumentException)ex).ParamName);
        Assert.Equal(["orders"], clusters.ClusterNames);
        Assert.Same(orders, clusters.GetCluster("orders"));
        before.AssertUnchanged(orders);
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------------

    private static readonly string[] IdEntryPoints =
        ["AddMember", "RemoveMember", "SetMemberEnabled", "ReportUtilization", "ReportRefusal", "ReportOffline", "ReportSuccess"];

    private static string Describe(Exception ex) =>
        $"{ex.GetType().Name} (ParamName: {(ex as ArgumentException)?.ParamName ?? "none"}): {ex.Message.ReplaceLineEndings(" ")}";

    /// <summary>Calls the entry point with otherwise valid arguments; returns its result (null for void).</summary>
    private static bool? CallWithId(ClusterSelector cluster, string method, string id)
    {
        switch (method)
        {
            case "AddMember":
                cluster.AddMember(id, "1.0", enabled: true);
                return null;
            case "RemoveMember":
                return cluster.RemoveMember(id);
            case "SetMemberEnabled":
                return cluster.SetMemberEnabled(id, enabled: false);
            case "ReportUtilization":
                return cluster.ReportUtilization(id, 99, 99);
            case "ReportRefusal":
                return cluster.ReportRefusal(id, ThrottleLimitKind.Concurrency, TimeSpan.FromSeconds(5));
            case "ReportOffline":
                return cluster.ReportOffline(id);
            case "ReportSuccess":
                return cluster.ReportSuccess(id);
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "Not an entry point that takes a member id.");
        }
    }

    /// <summary>Ways to spoil otherwise valid options, each with the field that the message must name.</summary>
    private static class InvalidOptions
    {
        public static readonly Dictionary<string, (Func<ClusterOptions, ClusterOptions> Spoil, string Field)> Cases = new(StringComparer.Ordinal)
        {
            ["Members=null"] = (o => WithLists(o, null!, o.ThrottlePolicies), "Members"),
            ["Members[1]=null"] = (Set(o => o.Members[1] = null!), "Members[1]"),
            ["Members[1].Id=null"] = (Set(o => o.Members[1].Id = null!), "Members[1].Id"),
            ["Members[1].Id=empty"] = (Set(o => o.Members[1].Id = string.Empty), "Members[1].Id"),
            ["Members[1].Id=whitespace"] = (Set(o => o.Members[1].Id = Blank), "Members[1].Id"),
            ["Members[1].Id=controls"] = (Set(o => o.Members[1].Id = Controls), "Members[1].Id"),
            ["Members duplicate id"] = (Set(o => o.Members[1].Id = "gw-0"), "Members[1].Id 'gw-0' duplicates Members[0].Id"),
            ["Members duplicate id ignoring case"] = (Set(o => o.Members[1].Id = "GW-0"), "Members[1].Id 'GW-0' duplicates Members[0].Id"),
            ["Mode=4"] = (Set(o => o.Mode = (SelectionMode)4), "Mode"),
            ["Mode=-1"] = (Set(o => o.Mode = (SelectionMode)(-1)), "Mode"),
            ["CPU=-1"] = (Set(o => o.CPUUtilizationPercentageThreshold = -1), "CPUUtilizationPercentageThreshold"),
            ["CPU=101"] = (Set(o => o.CPUUtilizationPercentageThreshold = 101), "CPUUtilizationPercentageThreshold"),
            ["CPU=NaN"] = (Set(o => o.CPUUtilizationPercentageThreshold = double.NaN), "CPUUtilizationPercentageThreshold"),
            ["CPU=+Infinity"] = (Set(o => o.CPUUtilizationPercentageThreshold = double.PositiveInfinity), "CPUUtilizationPercentageThreshold"),
            ["CPU=-Infinity"] = (Set(o => o.CPUUtilizationPercentageThreshold = double.NegativeInfinity), "CPUUtilizationPercentageThreshold"),
            ["Memory=-1"] = (Set(o => o.MemoryUtilizationPercentageThreshold = -1), "MemoryUtilizationPercentageThreshold"),
            ["Memory=101"] = (Set(o => o.MemoryUtilizationPercentageThreshold = 101), "MemoryUtilizationPercentageThreshold"),
            ["Memory=NaN"] = (Set(o => o.MemoryUtilizationPercentageThreshold = double.NaN), "MemoryUtilizationPercentageThreshold"),
            ["Memory=+Infinity"] = (Set(o => o.MemoryUtilizationPercentageThreshold = double.PositiveInfinity), "MemoryUtilizationPercentageThreshold"),
            ["Memory=-Infinity"] = (Set(o => o.MemoryUtilizationPercentageThreshold = double.NegativeInfinity), "MemoryUtilizationPercentageThreshold"),
            ["AggregationMinutes=0"] = (Set(o => o.ResourceUtilizationAggregationTimeInMinutes = 0), "ResourceUtilizationAggregationTimeInMinutes"),
            ["AggregationMinutes=-1"] = (Set(o => o.ResourceUtilizationAggregationTimeInMinutes = -1), "ResourceUtilizationAggregationTimeInMinutes"),
            ["AggregationMinutes=MinValue"] = (Set(o => o.ResourceUtilizationAggregationTimeInMinutes = int.MinValue), "ResourceUtilizationAggregationTimeInMinutes"),
            ["ConcurrentOperationLimit=0"] = (Set(o => o.ConcurrentOperationLimitPreview = 0), "ConcurrentOperationLimitPreview"),
            ["ConcurrentOperationLimit=-1"] = (Set(o => o.ConcurrentOperationLimitPreview = -1), "ConcurrentOperationLimitPreview"),
            ["MemberRefusalCoolDown=0"] = (Set(o => o.MemberRefusalCoolDown = TimeSpan.Zero), "MemberRefusalCoolDown"),
            ["MemberRefusalCoolDown=-1tick"] = (Set(o => o.MemberRefusalCoolDown = TimeSpan.FromTicks(-1)), "MemberRefusalCoolDown"),
            ["MemberRefusalCoolDown=Infinite"] = (Set(o => o.MemberRefusalCoolDown = Timeout.InfiniteTimeSpan), "MemberRefusalCoolDown"),
            ["MemberRefusalCoolDown=MinValue"] = (Set(o => o.MemberRefusalCoolDown = TimeSpan.MinValue), "MemberRefusalCoolDown"),
            ["ThrottlePolicyFailureMode=2"] = (Set(o => o.ThrottlePolicyFailureMode = (ThrottlePolicyFailureMode)2), "ThrottlePolicyFailureMode"),
            ["ThrottlePolicyFailureMode=-1"] = (Set(o => o.ThrottlePolicyFailureMode = (ThrottlePolicyFailureMode)(-1)), "ThrottlePolicyFailureMode"),
            ["OfflinePenaltyBaseDuration=0"] = (Set(o => o.OfflinePenaltyBaseDuration = TimeSpan.Zero), "OfflinePenaltyBaseDuration"),
            ["OfflinePenaltyBaseDuration=-1s"] = (Set(o => o.OfflinePenaltyBaseDuration = TimeSpan.FromSeconds(-1)), "OfflinePenaltyBaseDuration"),
            ["OfflinePenaltyBaseDuration=MinValue"] = (Set(o => o.OfflinePenaltyBaseDuration = TimeSpan.MinValue), "OfflinePenaltyBaseDuration"),
            ["OfflinePenaltyMaxDuration<base"] = (Set(o => o.OfflinePenaltyMaxDuration = o.OfflinePenaltyBaseDuration - TimeSpan.FromTicks(1)), "OfflinePenaltyMaxDuration"),
            ["OfflinePenaltyMaxDuration=0"] = (Set(o => o.OfflinePenaltyMaxDuration = TimeSpan.Zero), "OfflinePenaltyMaxDuration"),
            ["OfflinePenaltyMaxDuration=-1s"] = (Set(o => o.OfflinePenaltyMaxDuration = TimeSpan.FromSeconds(-1)), "OfflinePenaltyMaxDuration"),
            ["OfflinePenaltyJitter=-0.1"] = (Set(o => o.OfflinePenaltyJitter = -0.1), "OfflinePenaltyJitter"),
            ["OfflinePenaltyJitter=1.01"] = (Set(o => o.OfflinePenaltyJitter = 1.01), "OfflinePenaltyJitter"),
            ["OfflinePenaltyJitter=NaN"] = (Set(o => o.OfflinePenaltyJitter = double.NaN), "OfflinePenaltyJitter"),
            ["OfflinePenaltyJitter=+Infinity"] = (Set(o => o.OfflinePenaltyJitter = double.PositiveInfinity), "OfflinePenaltyJitter"),
            ["OfflinePenaltyJitter=-Infinity"] = (Set(o => o.OfflinePenaltyJitter = double.NegativeInfinity), "OfflinePenaltyJitter"),
            ["Members[1].Weight=0"] = (Set(o => o.Members[1].Weight = 0), "Members[1].Weight"),
            ["Members[1].Weight=-1"] = (Set(o => o.Members[1].Weight = -1), "Members[1].Weight"),
            ["Members[1].Weight=101"] = (Set(o => o.Members[1].Weight = 101), "Members[1].Weight"),
            ["Members[1].Weight=MinValue"] = (Set(o => o.Members[1].Weight = int.MinValue), "Members[1].Weight"),
            ["MaxHedgedAttempts=-1"] = (Set(o => o.MaxHedgedAttempts = -1), "MaxHedgedAttempts"),
            ["MaxHedgedAttempts=10"] = (Set(o => o.MaxHedgedAttempts = 10), "MaxHedgedAttempts"),
            ["HedgingDelay=-1tick"] = (Set(o => o.HedgingDelay = TimeSpan.FromTicks(-1)), "HedgingDelay"),
            ["HedgingDelay=MinValue"] = (Set(o => o.HedgingDelay = TimeSpan.MinValue), "HedgingDelay"),
            ["HedgingDelay=MaxValue"] = (Set(o => o.HedgingDelay = TimeSpan.MaxValue), "HedgingDelay"),
            ["SlowStartWindow=-1tick"] = (Set(o => o.SlowStartWindow = TimeSpan.FromTicks(-1)), "SlowStartWindow"),
            ["SlowStartWindow=MinValue"] = (Set(o => o.SlowStartWindow = TimeSpan.MinValue), "SlowStartWindow"),
            ["SlowStartMinimumPercentage=0"] = (Set(o => o.SlowStartMinimumPercentage = 0), "SlowStartMinimumPercentage"),
            ["SlowStartMinimumPercentage=100.5"] = (Set(o => o.SlowStartMinimumPercentage = 100.5), "SlowStartMinimumPercentage"),
            ["SlowStartMinimumPercentage=NaN"] = (Set(o => o.SlowStartMinimumPercentage = double.NaN), "SlowStartMinimumPercentage"),
            ["ThrottlePolicies=null"] = (o => WithLists(o, o.Members, null!), "ThrottlePolicies"),
            ["ThrottlePolicies[1]=null"] = (Set(o => { o.ThrottlePolicies.Add(new ThrottleForever()); o.ThrottlePolicies.Add(null!); }), "ThrottlePolicies[1]"),
        };

        private static Func<ClusterOptions, ClusterOptions> Set(Action<ClusterOptions> spoil) => options =>
        {
            spoil(options);
            return options;
        };

        /// <summary>Members and ThrottlePolicies are init-only: a null list can only be given to a new instance, so the fields the tests set are copied.</summary>
        private static ClusterOptions WithLists(ClusterOptions options, IList<ClusterMemberOptions> members, IList<ThrottlePolicy> policies) => new()
        {
            Members = members,
            ThrottlePolicies = policies,
            Mode = options.Mode,
            ResourceUtilizationAggregationTimeInMinutes = options.ResourceUtilizationAggregationTimeInMinutes,
            IsOfflineException = options.IsOfflineException,
        };
    }
}
