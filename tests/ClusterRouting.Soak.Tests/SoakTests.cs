using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using ClusterRouting.Soak.Tests.Cluster;
using ClusterRouting.Soak.Tests.Faults;
using ClusterRouting.Soak.Tests.Invariants;
using ClusterRouting.Soak.Tests.Load;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace ClusterRouting.Soak.Tests;

/// <summary>
/// The whole cluster on 127.0.0.1 under a steady load and a schedule of faults, for <see cref="SoakSettings.Duration"/>
/// (60 s; <c>CLUSTERROUTING_SOAK_SECONDS=600</c> for the long run). Three members (real Kestrel hosts with the member's
/// limits, measurement and health endpoint) and two routers (each its own Generic Host, container and cluster, with
/// the HTTP handler, active health probing, a custom policy and configuration from a reloaded JSON file).
/// </summary>
/// <remarks>
/// Invariants, checked while it runs and at the end: no request lost (<see cref="RetryRule"/> says what a caller
/// retries; anything else is a loss), no member over its concurrency limit, every in-flight count back to 0 (each
/// router's status, each member's health answer and its own count), no unobserved task exception, no broken promise of
/// a reload or an admin change, and managed memory after the run within <see cref="MemoryGrowthBound"/> of what it was
/// after the warm-up. No process crash: the test can only finish if the process lives.
/// </remarks>
[Collection(SoakRun.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    /// <summary>The most managed memory may grow from the end of the warm-up to the end of the run.</summary>
    private const long MemoryGrowthBound = 8L * 1024 * 1024;

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    [Fact]
    [Trait("Category", "Soak")]
    public async Task WholeCluster_UnderScheduledFaults_LosesNoRequest_KeepsEveryLimit_AndEndsClean()
    {
        var unobserved = new ConcurrentQueue<Exception>();
        EventHandler<UnobservedTaskExceptionEventArgs> onUnobserved = (_, e) => unobserved.Enqueue(e.Exception);
        UnhandledExceptionEventHandler onCrash = (_, e) => File.AppendAllText(ReportPath, $"{Environment.NewLine}PROCESS CRASH: {e.ExceptionObject}{Environment.NewLine}");
        TaskScheduler.UnobservedTaskException += onUnobserved;
        AppDomain.CurrentDomain.UnhandledException += onCrash;
        try
        {
            // A hard bound on the whole run: the soak, then at most the load's budget and the shutdown.
            await RunAsync(unobserved).WaitAsync(SoakSettings.Duration + TimeSpan.FromMinutes(3));
        }
        finally
        {
            AppDomain.CurrentDomain.UnhandledException -= onCrash;
            TaskScheduler.UnobservedTaskException -= onUnobserved;
        }
    }

    private static string ReportPath => Environment.GetEnvironmentVariable("CLUSTERROUTING_SOAK_REPORT") is { Length: > 0 } path
        ? path
        : Path.Combine(AppContext.BaseDirectory, "soak-report.txt");

    private async Task RunAsync(ConcurrentQueue<Exception> unobserved)
    {
        DirectoryInfo directory = Directory.CreateTempSubdirectory("clusterrouting-soak-");
        var switches = new FaultSwitches();
        var logs = new ThrowingLoggerProvider(switches);
        var violations = new Violations();
        var memberClock = new FakeTimeProvider();
        using var outside = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var pumpStop = new CancellationTokenSource();
        Task pump = PumpAsync(memberClock, violations, pumpStop.Token);
        var members = new List<SoakMember>();
        var routers = new List<SoakRouter>();
        var report = new StringBuilder();
        long started = TimeProvider.System.GetTimestamp();
        try
        {
            foreach (string id in new[] { "gw-1", "gw-2", "gw-3" })
            {
                members.Add(await SoakMember.StartAsync(id, SoakSettings.MemberLimit, memberClock, logs));
            }

            var first = new RouterConfiguration(SelectionMode.RoundRobin, SoakSettings.MemberLimit, SoakSettings.CpuThreshold);
            routers.Add(await SoakRouter.StartAsync("A", members, first, SoakSettings.AttemptTimeout, ThrottlePolicyFailureMode.FailOpen, switches, logs, directory.FullName));
            routers.Add(await SoakRouter.StartAsync("B", members, first with { Mode = SelectionMode.Failover }, attemptTimeout: null, ThrottlePolicyFailureMode.FailClosed, switches, logs, directory.FullName));
            await UntilAsync(() => routers.All(r => r.Cluster.GetStatus().Members.All(m => m.Version == "3000.250.5")), "every member probed by both routers");

            long memoryAtStart = LiveBytes();
            var load = new LoadGenerator(routers, members.Select(m => m.Id));
            var schedule = new FaultSchedule(members, routers, switches, violations, outside);
            var monitor = new InvariantMonitor(members, routers, violations);
            using var stopFaults = new CancellationTokenSource();
            using var stopLoad = new CancellationTokenSource();
            using var stopMonitor = new CancellationTokenSource();
            long loadStarted = TimeProvider.System.GetTimestamp();
            Task monitoring = monitor.RunAsync(stopMonitor.Token);
            Task loading = load.RunAsync(stopLoad.Token);
            Task faults = schedule.RunAsync(stopFaults.Token);

            // Memory: after the warm-up, then at even steps, for the report; a run that stops early still ends here.
            var memory = new List<(TimeSpan At, long Bytes, long Total)>();
            await Task.Delay(SoakSettings.WarmUp);
            long memoryAfterWarmUp = LiveBytes();
            memory.Add((TimeProvider.System.GetElapsedTime(loadStarted), memoryAfterWarmUp, GC.GetTotalMemory(false)));
            TimeSpan step = (SoakSettings.Duration - SoakSettings.WarmUp) / 5;
            for (int i = 1; i <= 5; i++)
            {
                TimeSpan next = SoakSettings.WarmUp + (step * i);
                TimeSpan left = next - TimeProvider.System.GetElapsedTime(loadStarted);
                if (left > TimeSpan.Zero)
                {
                    await Task.Delay(left);
                }

                if (i < 5)
                {
                    memory.Add((TimeProvider.System.GetElapsedTime(loadStarted), LiveBytes(), GC.GetTotalMemory(false)));
                }
            }

            // Stop the faults first (each track undoes its own), then the load (requests under way finish), then the monitor.
            await stopFaults.CancelAsync();
            await faults.WaitAsync(TimeSpan.FromSeconds(30));
            TimeSpan loadTime = TimeProvider.System.GetElapsedTime(loadStarted);
            await stopLoad.CancelAsync();
            await loading.WaitAsync(RetryRule.Budget + Bound);
            await stopMonitor.CancelAsync();
            await monitoring.WaitAsync(Bound);

            // Every in-flight count back to 0: each router's view, each member's own count and its health answer.
            string? notIdle = await UntilIdleAsync(members, routers, outside);
            if (notIdle is not null)
            {
                violations.Add("in flight after the run: " + notIdle);
            }

            long memoryAtEnd = LiveBytes();
            memory.Add((TimeProvider.System.GetElapsedTime(loadStarted), memoryAtEnd, GC.GetTotalMemory(false)));

            await DisposeAllAsync(routers, members);
            await pumpStop.CancelAsync();
            await pump.WaitAsync(Bound);

            // Unobserved task exceptions are raised by the finalizer of a faulted task nobody awaited.
            for (int i = 0; i < 2; i++)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }

            int mostAtOnce = members.Max(m => m.MostAtOnce);
            Write(report, load, schedule, monitor, members, switches, logs, violations, unobserved, memoryAtStart, memory, loadTime, TimeProvider.System.GetElapsedTime(started));
            File.WriteAllText(ReportPath, report.ToString());
            output.WriteLine(report.ToString());

            Assert.All(
                new[] { FaultSchedule.Kill, FaultSchedule.Slow, FaultSchedule.CpuSpike, FaultSchedule.RefusalBurst, FaultSchedule.ValidReload, FaultSchedule.InvalidReload, FaultSchedule.AdminDisable, FaultSchedule.PolicyThrows, FaultSchedule.LoggerThrows },
                kind => Assert.True(schedule.Injected.GetValueOrDefault(kind) > 0, $"no fault of kind '{kind}' was injected"));
            Assert.True(switches.PolicyThrown > 0, "the custom policy never threw: the fault did not reach the routers");
            Assert.True(switches.LoggerThrown > 0, "no logger ever threw: the fault did not reach the library");
            Assert.True(schedule.Effects.GetValueOrDefault(FaultSchedule.SpikesSeen) > 0, "no CPU spike put a member over its threshold as a router saw it");
            Assert.True(members.Sum(m => m.Refused) > 0, "no member ever refused a request");
            Assert.True(load.Lost == 0, $"{load.Lost} requests lost; the first: {string.Join(Environment.NewLine, load.Losses)}");
            Assert.True(violations.Count == 0, $"{violations.Count} invariants broken; the first: {string.Join(Environment.NewLine, violations.First)}");
            Assert.True(unobserved.IsEmpty, $"{unobserved.Count} unobserved task exceptions; the first: {unobserved.FirstOrDefault()}");
            Assert.InRange(mostAtOnce, 1, SoakSettings.MemberLimit);
            Assert.True(load.Served >= 20 * (long)loadTime.TotalSeconds, $"only {load.Served} requests served in {loadTime.TotalSeconds:0} s: the load did not run");
            Assert.True(
                memoryAtEnd - memoryAfterWarmUp <= MemoryGrowthBound,
                $"managed memory grew by {Mb(memoryAtEnd - memoryAfterWarmUp)} after the warm-up (from {Mb(memoryAfterWarmUp)} to {Mb(memoryAtEnd)}), more than {Mb(MemoryGrowthBound)}");
        }
        finally
        {
            await DisposeAllAsync(routers, members);
            await pumpStop.CancelAsync();
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The managed heap's live bytes: after two full, blocking, compacting collections (finalizers run between them),
    /// the heap's size less its fragmentation as that collection measured it. Not <c>GC.GetTotalMemory(true)</c>: under
    /// the regions GC it under-reports gen0 and can even go negative (dotnet/runtime#106712), which it did here.
    /// </summary>
    private static long LiveBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GCMemoryInfo info = GC.GetGCMemoryInfo(GCKind.FullBlocking);
        return info.HeapSizeBytes - info.FragmentedBytes;
    }

    /// <summary>
    /// Runs the members' measurement clock <see cref="SoakSettings.MemberClockSpeedUp"/> times faster than real time,
    /// one sampling interval at a time. The members' timer callbacks run here: one that throws would end the process on
    /// a real timer, so it is a broken invariant.
    /// </summary>
    private static Task PumpAsync(FakeTimeProvider clock, Violations violations, CancellationToken stopping) => Task.Run(
        async () =>
        {
            TimeSpan tick = TimeSpan.FromSeconds(1) / SoakSettings.MemberClockSpeedUp;
            try
            {
                while (true)
                {
                    await Task.Delay(tick, stopping);
                    try
                    {
                        clock.Advance(TimeSpan.FromSeconds(1));
                    }
#pragma warning disable CA1031 // Recorded: the soak fails on it.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        violations.Add("a member's timer callback threw (on a real timer, the process would end): " + ex);
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
        },
        CancellationToken.None);

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        long started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetElapsedTime(started) < Bound, $"not reached in {Bound}: {what}");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits, bounded, until nothing is in flight anywhere; says what still is when the bound passes.</summary>
    private static async Task<string?> UntilIdleAsync(List<SoakMember> members, List<SoakRouter> routers, HttpClient outside)
    {
        long started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            var busy = new List<string>();
            foreach (SoakRouter router in routers)
            {
                busy.AddRange(router.Cluster.GetStatus().Members.Where(m => m.InFlight != 0).Select(m => $"router {router.Name} holds {m.InFlight} on {m.Id}"));
            }

            foreach (SoakMember member in members)
            {
                if (member.AtOnce != 0)
                {
                    busy.Add($"member {member.Id} runs {member.AtOnce}");
                }

                int inFlight = await member.ReadInFlightAsync(outside, CancellationToken.None);
                if (inFlight != 0)
                {
                    busy.Add($"member {member.Id}'s health says {inFlight} in flight");
                }
            }

            if (busy.Count == 0)
            {
                return null;
            }

            if (TimeProvider.System.GetElapsedTime(started) > Bound)
            {
                return string.Join("; ", busy);
            }

            await Task.Delay(50);
        }
    }

    private static async Task DisposeAllAsync(List<SoakRouter> routers, List<SoakMember> members)
    {
        foreach (SoakRouter router in routers)
        {
            await router.DisposeAsync();
        }

        routers.Clear();
        foreach (SoakMember member in members)
        {
            await member.DisposeAsync();
        }
    }

    private static void Write(
        StringBuilder report,
        LoadGenerator load,
        FaultSchedule schedule,
        InvariantMonitor monitor,
        List<SoakMember> members,
        FaultSwitches switches,
        ThrowingLoggerProvider logs,
        Violations violations,
        ConcurrentQueue<Exception> unobserved,
        long memoryAtStart,
        List<(TimeSpan At, long Bytes, long Total)> memory,
        TimeSpan loadTime,
        TimeSpan total)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        report.AppendLine(c, $"ClusterRouting soak: {SoakSettings.Duration.TotalSeconds:0} s asked, load ran {loadTime.TotalSeconds:0.0} s, whole test {total.TotalSeconds:0.0} s; seed {SoakSettings.Seed}; {Environment.ProcessorCount} processors");
        report.AppendLine(c, $"requests: {load.Sent:N0} sent, {load.Served:N0} served ({load.Served / loadTime.TotalSeconds:N0}/s), {load.Lost} lost; {load.Retries:N0} retries; most tries for one request {load.MostTries}; longest request {load.Longest.TotalMilliseconds:N0} ms");
        report.AppendLine("the longest request: " + load.LongestHistory);
        report.AppendLine("served by router/member: " + string.Join(", ", load.ServedBy.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:N0}")));
        report.AppendLine("retried after: " + (load.RetriedFor.Count == 0 ? "none" : string.Join(", ", load.RetriedFor.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:N0}"))));
        report.AppendLine("faults injected: " + string.Join("; ", schedule.Injected.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}")));
        report.AppendLine("fault effects seen: " + string.Join("; ", schedule.Effects.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value:N0}")));
        report.AppendLine(string.Create(c, $"members (limit {SoakSettings.MemberLimit}): ") + string.Join("; ", members.Select(m => $"{m.Id} most at once {m.MostAtOnce}, served {m.Served:N0} routed + {m.OutsideServed:N0} outside, refused {m.Refused:N0}")));
        report.AppendLine(c, $"largest in-flight count seen on any member: {members.Max(m => m.MostAtOnce)} (limit {SoakSettings.MemberLimit}); most leases a router held on one member: {monitor.MostRouterInFlight}; {monitor.Checks:N0} checks");
        report.AppendLine(c, $"user code: the policy threw {switches.PolicyThrown:N0} times, loggers threw {switches.LoggerThrown:N0} times");
        report.AppendLine("log events (while loggers did not throw): " + string.Join(", ", logs.Events.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value:N0}")));
        report.AppendLine(string.Create(c, $"managed memory (live bytes after a full compacting GC): start {Mb(memoryAtStart)}; ") + string.Join(", ", memory.Select(m => string.Create(c, $"{m.At.TotalSeconds:0} s {Mb(m.Bytes)}"))) + string.Create(c, $"; growth after warm-up {Mb(memory[^1].Bytes - memory[0].Bytes)} (bound {Mb(MemoryGrowthBound)})"));
        report.AppendLine("GC.GetTotalMemory(false) at the same moments (under-reports under the regions GC, dotnet/runtime#106712): " + string.Join(", ", memory.Select(m => Mb(m.Total))));
        report.AppendLine(c, $"unobserved task exceptions: {unobserved.Count}; invariants broken: {violations.Count}");
        foreach (string loss in load.Losses)
        {
            report.AppendLine("LOST " + loss);
        }

        foreach (string violation in violations.First)
        {
            report.AppendLine("BROKEN " + violation);
        }

        foreach (Exception exception in unobserved.Take(5))
        {
            report.AppendLine("UNOBSERVED " + exception);
        }
    }

    private static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.0", CultureInfo.InvariantCulture) + " MB";
}

/// <summary>The soak measures real time and memory: it runs alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SoakRun
{
    public const string Name = "Soak";
}
