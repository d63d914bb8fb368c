using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using ClusterRouting.Soak.Tests.Cluster;
using ClusterRouting.Soak.Tests.Invariants;

namespace ClusterRouting.Soak.Tests.Faults;

/// <summary>
/// Injects the faults, on eight independent tracks that run at once, each a loop of "wait a gap, inject, hold, undo"
/// with its gaps and holds drawn from a generator seeded from <see cref="SoakSettings.Seed"/>. Faults on different
/// tracks overlap (a member killed while another spikes and a third is disabled on one router), which is the point.
/// Each track undoes its fault when the schedule stops, so the cluster ends whole. What the faults must not break is
/// checked here where only the track knows it (a reload's effect, an admin change kept), and by the load and the
/// monitor otherwise.
/// </summary>
internal sealed class FaultSchedule
{
    public const string Kill = "member killed and restarted on its port";
    public const string Slow = "slow responses on a member (200 to 2,500 ms each)";
    public const string CpuSpike = "CPU spike on a member (measurement at 100 %)";
    public const string RefusalBurst = "burst of 503 refusals (outside load fills a member's slots)";
    public const string ValidReload = "valid configuration reload";
    public const string InvalidReload = "invalid configuration reload";
    public const string AdminDisable = "admin disable then enable of a member";
    public const string PolicyThrows = "custom throttle policy throws";
    public const string LoggerThrows = "logger throws";

    /// <summary>The effect of a spike that put the member over its threshold, as a router saw it.</summary>
    public const string SpikesSeen = "CPU spikes that a router saw (member throttled for CPU)";

    private static readonly SelectionMode[] Modes = [SelectionMode.Failover, SelectionMode.RoundRobin, SelectionMode.Random];
    // The outside client's timeout is 10 s; the burst waits a little longer for all of them.
    private static readonly TimeSpan BurstBound = TimeSpan.FromSeconds(20);

    private readonly IReadOnlyList<SoakMember> _members;
    private readonly IReadOnlyList<SoakRouter> _routers;
    private readonly FaultSwitches _switches;
    private readonly Violations _violations;
    private readonly HttpClient _outside;
    private readonly ConcurrentDictionary<string, long> _injected = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _effects = new(StringComparer.Ordinal);

    // Each written by its own track only.
    private int _nextKilled;
    private int _nextReloaded;
    private int _nextInvalid;

    public FaultSchedule(IReadOnlyList<SoakMember> members, IReadOnlyList<SoakRouter> routers, FaultSwitches switches, Violations violations, HttpClient outside)
    {
        _members = members;
        _routers = routers;
        _switches = switches;
        _violations = violations;
        _outside = outside;
    }

    /// <summary>Gets how many faults of each kind were injected.</summary>
    public IReadOnlyDictionary<string, long> Injected => _injected;

    /// <summary>Gets what the faults were seen to do (a spike that put a member over its threshold, refusals a burst caused, ...).</summary>
    public IReadOnlyDictionary<string, long> Effects => _effects;

    /// <summary>Runs every track until <paramref name="stopping"/> is canceled, then until each has undone its fault.</summary>
    public Task RunAsync(CancellationToken stopping)
    {
        int seed = SoakSettings.Seed;
        Task[] tracks =
        [
            Track(seed + 1, KillAsync, stopping),
            Track(seed + 2, SlowAsync, stopping),
            Track(seed + 3, SpikeAsync, stopping),
            Track(seed + 4, BurstAsync, stopping),
            Track(seed + 5, ReloadAsync, stopping),
            Track(seed + 6, AdminAsync, stopping),
            Track(seed + 7, PolicyAsync, stopping),
            Track(seed + 8, LoggerAsync, stopping),
        ];
        return Task.WhenAll(tracks);
    }

    private static Task Track(int seed, Func<Random, CancellationToken, Task> step, CancellationToken stopping) => Task.Run(
        async () =>
        {
            var random = new Random(seed);
            try
            {
                while (true)
                {
                    await step(random, stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Stopped; the step undid its fault in its finally.
            }
        },
        CancellationToken.None);

    private static Task Gap(Random random, int minMs, int maxMs, CancellationToken stopping) =>
        Task.Delay(TimeSpan.FromMilliseconds(random.Next(minMs, maxMs)), stopping);

    /// <summary>A hold that ends early when the schedule stops, without throwing: the fault is undone either way.</summary>
    private static async Task Hold(Random random, int minMs, int maxMs, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(minMs, maxMs)), stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private void Count(string kind) => _injected.AddOrUpdate(kind, 1, static (_, n) => n + 1);

    private void Effect(string what, long count = 1) => _effects.AddOrUpdate(what, count, (_, n) => n + count);

    // Members in turn; one down at a time, 1 to 4 s, every 5 to 9 s.
    private async Task KillAsync(Random random, CancellationToken stopping)
    {
        await Gap(random, 5_000, 9_000, stopping);
        SoakMember member = _members[_nextKilled++ % _members.Count];
        Count(Kill);
        await member.KillAsync();
        bool noticed = false;
        try
        {
            long until = TimeProvider.System.GetTimestamp() + (long)(random.Next(1_000, 4_000) / 1000.0 * TimeProvider.System.TimestampFrequency);
            while (TimeProvider.System.GetTimestamp() < until && !stopping.IsCancellationRequested)
            {
                noticed |= _routers.All(r => r.Cluster.GetStatus().Members.Any(m => m.Id == member.Id && m.Health != MemberHealth.Online));
                await Hold(random, 80, 120, stopping);
            }
        }
        finally
        {
            await member.RestartAsync();
        }

        if (noticed)
        {
            Effect("kills both routers saw (member penalized while down)");
        }
    }

    private async Task SlowAsync(Random random, CancellationToken stopping)
    {
        await Gap(random, 3_000, 7_000, stopping);
        SoakMember member = _members[random.Next(_members.Count)];
        Count(Slow);
        long until = TimeProvider.System.GetTimestamp() + (long)(random.Next(2_000, 4_000) / 1000.0 * TimeProvider.System.TimestampFrequency);
        member.SlowUntil(until);
        try
        {
            await Hold(random, 2_000, 4_000, stopping);
        }
        finally
        {
            member.SlowUntil(0);
        }
    }

    // 4 to 6 s at 100 %: with the members' clock 20 times faster, their one-minute average crosses 80 % after about
    // 2.4 s of it and falls back about 0.7 s after it ends.
    private async Task SpikeAsync(Random random, CancellationToken stopping)
    {
        await Gap(random, 5_000, 10_000, stopping);
        SoakMember member = _members[random.Next(_members.Count)];
        Count(CpuSpike);
        member.Load.Spike(true);
        bool over = false;
        try
        {
            long until = TimeProvider.System.GetTimestamp() + (long)(random.Next(4_000, 6_000) / 1000.0 * TimeProvider.System.TimestampFrequency);
            while (TimeProvider.System.GetTimestamp() < until && !stopping.IsCancellationRequested)
            {
                over |= _routers.Any(r => r.Cluster.GetStatus().Members.Any(m => m.Id == member.Id && m.Throttle == MemberRejectionReason.CpuLimit));
                await Hold(random, 150, 250, stopping);
            }
        }
        finally
        {
            member.Load.Spike(false);
        }

        if (over)
        {
            Effect(SpikesSeen);
        }
    }

    // Outside load (not through a router) takes every free slot of a member for 1 to 2 s: the member itself refuses
    // the routers' requests meanwhile, with its real 503.
    private async Task BurstAsync(Random random, CancellationToken stopping)
    {
        await Gap(random, 3_000, 7_000, stopping);
        SoakMember member = _members[random.Next(_members.Count)];
        if (!member.IsRunning)
        {
            return;
        }

        Count(RefusalBurst);
        long refusedBefore = member.Refused;
        int hold = random.Next(1_000, 2_000);
        Task<HttpStatusCode?>[] burst = Enumerable.Range(0, member.Limit).Select(_ => OutsideAsync(member, hold)).ToArray();
        HttpStatusCode?[] statuses = await Task.WhenAll(burst).WaitAsync(BurstBound, CancellationToken.None);
        Effect("outside requests admitted by bursts", statuses.Count(s => s == HttpStatusCode.OK));
        Effect("503 refusals by members during bursts (outside ones included)", member.Refused - refusedBefore);
    }

    private async Task<HttpStatusCode?> OutsideAsync(SoakMember member, int holdMs)
    {
        try
        {
            using HttpResponseMessage response = await _outside.GetAsync(new Uri(member.Address, "work?id=0&hold=" + holdMs.ToString(CultureInfo.InvariantCulture)));
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null; // the member was killed meanwhile
        }
        catch (TaskCanceledException)
        {
            return null; // the outside client's own timeout
        }
    }

    // Every 1.5 to 3 s, one router in turn: half valid (a mode, a concurrency limit, a CPU threshold), half invalid in
    // one of five ways. A valid one must apply; an invalid one must change nothing; neither may throw into the reloader.
    private async Task ReloadAsync(Random random, CancellationToken stopping)
    {
        await Gap(random, 1_500, 3_000, stopping);
        SoakRouter router = _routers[_nextReloaded++ % _routers.Count];
        RouterConfiguration before = router.Configured;
        bool valid = random.Next(2) == 0;
        RouterConfiguration next = valid
            ? new RouterConfiguration(Modes[random.Next(Modes.Length)], random.Next(2) == 0 ? SoakSettings.MemberLimit : SoakSettings.MemberLimit - 2, random.Next(2) == 0 ? SoakSettings.CpuThreshold : 90)
            : before with { Invalid = (InvalidKind)(_nextInvalid++ % Enum.GetValues<InvalidKind>().Length) };
        Count(valid ? ValidReload : InvalidReload);
        Exception? thrown = router.Reload(next);
        if (thrown is not null)
        {
            _violations.Add($"router {router.Name}: a {(valid ? "valid" : "invalid (" + next.Invalid + ")")} reload threw into the reloader: {thrown}");
        }

        ClusterStatus status = router.Cluster.GetStatus();
        string[] ids = status.Members.Select(m => m.Id).ToArray();
        if (!ids.SequenceEqual(_members.Select(m => m.Id)))
        {
            _violations.Add($"router {router.Name}: after a {(valid ? "valid" : "invalid (" + next.Invalid + ")")} reload its members are [{string.Join(", ", ids)}]");
        }

        SelectionMode expected = valid ? next.Mode : before.Mode;
        if (status.Mode != expected)
        {
            _violations.Add($"router {router.Name}: after a {(valid ? "valid" : "invalid (" + next.Invalid + ")")} reload its mode is {status.Mode}, not {expected}");
        }

        if (!valid)
        {
            // Back to the last good configuration, so that the next reload starts from a valid file.
            thrown = router.Reload(before);
            if (thrown is not null)
            {
                _violations.Add($"router {router.Name}: restoring the configuration after an invalid reload threw into the reloader: {thrown}");
            }
        }
    }

    // A member disabled on one router through IClusterAdministration for 1 to 3 s, then enabled: reloads meanwhile
    // must leave it disabled, and no request of that router may go to it meanwhile (its count of leases stays 0 once
    // those in flight end).
    private async Task AdminAsync(Random random, CancellationToken stopping)
    {
        await Gap(random, 2_000, 5_000, stopping);
        SoakRouter router = _routers[random.Next(_routers.Count)];
        SoakMember member = _members[random.Next(_members.Count)];
        Count(AdminDisable);
        if (!router.Administration.SetMemberEnabled(member.Id, false))
        {
            _violations.Add($"router {router.Name}: SetMemberEnabled({member.Id}, false) did not find the member");
        }

        try
        {
            await Hold(random, 1_000, 3_000, stopping);
            MemberStatus status = router.Administration.GetStatus().Members.Single(m => m.Id == member.Id);
            if (status.Enabled)
            {
                _violations.Add($"router {router.Name}: member {member.Id}, disabled by the admin, is enabled again before the admin enabled it (a reload?)");
            }
        }
        finally
        {
            router.Administration.SetMemberEnabled(member.Id, true);
        }
    }

    private async Task PolicyAsync(Random random, CancellationToken stopping)
    {
        await Gap(random, 4_000, 8_000, stopping);
        Count(PolicyThrows);
        long before = _switches.PolicyThrown;
        _switches.PolicyThrows = true;
        try
        {
            await Hold(random, 1_000, 3_000, stopping);
        }
        finally
        {
            _switches.PolicyThrows = false;
        }

        Effect("custom policy throws", _switches.PolicyThrown - before);
    }

    private async Task LoggerAsync(Random random, CancellationToken stopping)
    {
        await Gap(random, 4_000, 8_000, stopping);
        Count(LoggerThrows);
        long before = _switches.LoggerThrown;
        _switches.LoggerThrows = true;
        try
        {
            await Hold(random, 1_000, 3_000, stopping);
        }
        finally
        {
            _switches.LoggerThrows = false;
        }

        Effect("logger throws", _switches.LoggerThrown - before);
    }
}
