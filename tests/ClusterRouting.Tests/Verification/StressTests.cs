using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using ClusterRouting.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace ClusterRouting.Tests.Verification;

/// <summary>
/// Threads select and release (TrySelect, TrySelectPrimary, Select, SelectPrimary, ExecuteAsync with operations that
/// go offline, refuse or throw their own exception) while other threads flap members, report utilization, offline
/// results, successes and refusals, switch the mode and reconfigure the cluster, on the real clock (with penalties and
/// cool-downs of milliseconds, so deadline timers fire all the time) or on a fake clock that a thread advances.
/// </summary>
/// <remarks>
/// <para>What is checked, continuously by a watcher thread and by every worker after each acquisition:</para>
/// <list type="bullet">
/// <item>No member's InFlight is ever negative, and it is at least 1 while a lease on the member is held.</item>
/// <item>
/// The leases held on a member at once never exceed the bound: each holder counts itself in on a counter of the
/// test's right after it acquires and out right before it releases, so that counter never exceeds what the library
/// admitted, and every count-in is checked. (InFlight itself is the sum of per-thread stripes read one after another,
/// not a reading of one instant, so it is not used for the upper bound.)
/// </item>
/// <item>
/// In runs where Reconfigure changes ConcurrentOperationLimitPreview (between 2 and 4), the bound is 4, the highest
/// limit any configuration of the run used. It is not the limit in force: leases taken before a Reconfigure lowered
/// the limit legitimately exceed the new one.
/// </item>
/// <item>
/// In runs where the limit stays at 3, the bound is 3, and GetStatus reports 3 as every member's ConcurrencyLimit.
/// </item>
/// <item>
/// Every exception is one the library documents for the call: NoMemberAvailableException (and its subclasses) from
/// Select and SelectPrimary, NoMemberAvailableException or AllMembersFailedException from ExecuteAsync, the
/// operation's own exception, and OperationCanceledException once the run is stopped. Flapping calls are made valid
/// (membership changes are serialized by the test, ids are checked first, the member count stays under 10), so no
/// ArgumentException is expected at all.
/// </item>
/// <item>ExecuteAsync never runs one operation twice on the same member.</item>
/// </list>
/// <para>
/// After quiescence (every lease disposed): every member state ever seen, including removed members, has InFlight 0;
/// GetStatus succeeds and reports 0 in flight; and once the cluster is reconfigured clean and the members report
/// success, failover selection takes exactly limit x members leases before it fails.
/// </para>
/// </remarks>
[Trait("Category", "Stress")]
public class StressTests
{
    // Above the sum of the run's own waits (2 s, then up to 20 s to be exercised, 20 s to join, 20 s for the watcher and
    // 10 s for recovery), so a slow run ends with its summary rather than this timeout.
    private static readonly TimeSpan HardLimit = TimeSpan.FromSeconds(120);

    private readonly ITestOutputHelper _output;

    public StressTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SelectFlapAndReconfigure_LimitChangesBetween2And4_InFlightStaysWithinTheHighestLimitAndReturnsToZero(bool fakeClock)
    {
        using var run = new StressRun(fakeClock, limitChanges: true);

        await run.RunAsync().WaitAsync(HardLimit);

        _output.WriteLine(run.Summary);
        run.AssertHealthy();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SelectFlapAndReconfigure_LimitFixedAt3_InFlightStaysWithinTheCurrentLimitAndReturnsToZero(bool fakeClock)
    {
        using var run = new StressRun(fakeClock, limitChanges: false);

        await run.RunAsync().WaitAsync(HardLimit);

        _output.WriteLine(run.Summary);
        run.AssertHealthy();
    }

    private sealed class StressRun : IDisposable
    {
        private const int FixedLimit = 3;
        private const int HighestLimit = 4;
        private const int SelectorThreads = 3;
        private const int ExecutorLoops = 2;
        private const int MaxHeldLeases = 5;
        private const int MaxOperationsPerWorker = 1_000_000;
        private const int MaxRecordedProblems = 20;

        private static readonly TimeSpan Duration = TimeSpan.FromSeconds(2);
        // Refusals last at most 30 ms and penalties 20 ms; on the real clock their end is noticed by a timer, whose
        // callback needs a pool thread that other tests running at the same time may keep busy.
        private static readonly TimeSpan RecoveryTimeout = TimeSpan.FromSeconds(10);
        private static readonly TimeSpan ExerciseTimeout = TimeSpan.FromSeconds(20);
        private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(20);
        private static readonly string[] Pool = ["gw-0", "gw-1", "gw-2", "gw-3", "gw-4", "gw-5"];

        private readonly bool _limitChanges;
        private readonly int _bound;
        private readonly FakeTimeProvider? _fakeTime;
        private readonly ClusterSelector _cluster;
        private readonly Lock _membership = new();
        private readonly ConcurrentDictionary<MemberState, byte> _seen = new();
        private readonly ConcurrentQueue<string> _problems = new();
        private int _problemCount;
        private long _selected;
        private long _selectFailures;
        private long _concurrencyRejections;
        private long _executed;
        private long _executeFailures;
        private long _ownExceptions;
        private long _flaps;
        private long _reconfigures;
        private long _modeSwitches;
        private long _reports;
        private long _watcherPasses;
        private long _clockAdvances;
        private int _maxInFlight;
        private readonly ConcurrentDictionary<MemberState, StrongBox<int>> _held = new();
        private string _quiescence = "not reached";

        public StressRun(bool fakeClock, bool limitChanges)
        {
            _limitChanges = limitChanges;
            _bound = limitChanges ? HighestLimit : FixedLimit;
            _fakeTime = fakeClock ? new FakeTimeProvider() : null;
            var options = new ClusterOptions
            {
                Mode = SelectionMode.RoundRobin,
                ConcurrentOperationLimitPreview = _bound,
                ResourceUtilizationAggregationTimeInMinutes = 1,
                MemberRefusalCoolDown = TimeSpan.FromMilliseconds(10),
                OfflinePenaltyBaseDuration = TimeSpan.FromMilliseconds(2),
                OfflinePenaltyMaxDuration = TimeSpan.FromMilliseconds(20),
                CPUUtilizationPercentageThreshold = 90,
            };
            foreach (string id in Pool.Take(4))
            {
                options.Members.Add(new ClusterMemberOptions(id, "1.0"));
            }

            _cluster = new ClusterSelector("stress", options, (TimeProvider?)_fakeTime ?? TimeProvider.System);
        }

        public void Dispose() => _cluster.Dispose();

        public string Summary =>
            $"clock={(_fakeTime is null ? "system" : "fake")} limit={(_limitChanges ? "2..4" : "3")} bound={_bound} maxInFlight={Volatile.Read(ref _maxInFlight)} " +
            $"selected={Interlocked.Read(ref _selected)} selectFailures={Interlocked.Read(ref _selectFailures)} concurrencyRejections={Interlocked.Read(ref _concurrencyRejections)} " +
            $"executed={Interlocked.Read(ref _executed)} executeFailures={Interlocked.Read(ref _executeFailures)} ownExceptions={Interlocked.Read(ref _ownExceptions)} " +
            $"flaps={Interlocked.Read(ref _flaps)} reconfigures={Interlocked.Read(ref _reconfigures)} modeSwitches={Interlocked.Read(ref _modeSwitches)} reports={Interlocked.Read(ref _reports)} " +
            $"watcherPasses={Interlocked.Read(ref _watcherPasses)} clockAdvances={Interlocked.Read(ref _clockAdvances)} statesSeen={_seen.Count} quiescence: {_quiescence}";

        public async Task RunAsync()
        {
            using var stop = new CancellationTokenSource();
            using var stopWatcher = new CancellationTokenSource();
            try
            {
                Task watcher = Dedicated(() => Watch(stopWatcher.Token));
                var workers = new List<Task>();
                for (int t = 0; t < SelectorThreads; t++)
                {
                    int seed = 100 + t;
                    workers.Add(Dedicated(() => Select(seed, stop.Token)));
                }

                for (int t = 0; t < ExecutorLoops; t++)
                {
                    int seed = 200 + t;
                    workers.Add(Task.Run(() => ExecuteLoopAsync(seed, stop.Token)));
                }

                workers.Add(Dedicated(() => Flap(300, stop.Token)));
                workers.Add(Dedicated(() => Report(400, stop.Token)));
                workers.Add(Dedicated(() => Reconfigure(500, stop.Token)));
                if (_fakeTime is not null)
                {
                    workers.Add(Dedicated(() => AdvanceClock(600, stop.Token)));
                }

                await RunUntilExercisedAsync(workers);
                await stop.CancelAsync();
                await Task.WhenAll(workers).WaitAsync(JoinTimeout);
                await stopWatcher.CancelAsync();
                await watcher.WaitAsync(JoinTimeout);
            }
            finally
            {
                await stop.CancelAsync();
                await stopWatcher.CancelAsync();
            }

            CheckQuiescence();
        }

        /// <summary>
        /// Lets the workers run for <see cref="Duration"/>, then longer (up to <see cref="ExerciseTimeout"/>) until the
        /// run has exercised everything <see cref="AssertHealthy"/> requires. On a loaded machine the thread pool that
        /// runs the ExecuteAsync loops can be starved by the dedicated threads for the whole of the first seconds.
        /// </summary>
        private async Task RunUntilExercisedAsync(List<Task> workers)
        {
            await Task.Delay(Duration);
            var waited = Stopwatch.StartNew();
            while (Unexercised is not null && waited.Elapsed < ExerciseTimeout && !workers.TrueForAll(w => w.IsCompleted))
            {
                await Task.Delay(50);
            }
        }

        /// <summary>The first activity the run must have exercised but has not yet, or null once all have happened.</summary>
        private string? Unexercised =>
            Interlocked.Read(ref _selected) == 0 ? "no selection ever succeeded" :
            Interlocked.Read(ref _concurrencyRejections) == 0 ? "no selection ever found a member at its limit" :
            Interlocked.Read(ref _executed) == 0 ? "no ExecuteAsync run ever succeeded" :
            Interlocked.Read(ref _flaps) == 0 ? "no member was ever flapped" :
            Interlocked.Read(ref _reconfigures) == 0 ? "the cluster was never reconfigured" :
            Interlocked.Read(ref _watcherPasses) == 0 ? "the watcher never made a pass" :
            null;

        public void AssertHealthy()
        {
            Assert.True(_problems.IsEmpty, $"{Volatile.Read(ref _problemCount)} problem(s), the first {_problems.Count}:{Environment.NewLine}{string.Join(Environment.NewLine, _problems)}{Environment.NewLine}{Summary}");

            // The run must have exercised what it claims to: selections, limits, failover runs, flapping and reconfiguring.
            string? unexercised = Unexercised;
            Assert.True(unexercised is null, $"{unexercised}: {Summary}");
        }

        private static Task Dedicated(Action body) =>
            Task.Factory.StartNew(body, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        private void Problem(string what)
        {
            if (Interlocked.Increment(ref _problemCount) <= MaxRecordedProblems)
            {
                _problems.Enqueue(what);
            }
        }

        private void Unexpected(string where, Exception ex) =>
            Problem($"{where}: unexpected {ex.GetType().FullName} (ParamName: {(ex as ArgumentException)?.ParamName ?? "none"}): {ex.Message.ReplaceLineEndings(" ")}{Environment.NewLine}{ex.StackTrace}");

        /// <summary>Counts a lease the caller just acquired in, and checks the leases held on its member against the bound.</summary>
        private void CountIn(MemberState state, string where)
        {
            int held = Interlocked.Increment(ref _held.GetOrAdd(state, _ => new StrongBox<int>()).Value);
            int max = Volatile.Read(ref _maxInFlight);
            while (held > max)
            {
                int seen = Interlocked.CompareExchange(ref _maxInFlight, held, max);
                if (seen == max)
                {
                    break;
                }

                max = seen;
            }

            if (held > _bound)
            {
                Problem($"{where}: {held} leases are held on {state.Id} at once; allowed {_bound}");
            }

            CheckInFlight(state, where, holding: true);
        }

        /// <summary>Counts a lease out, right before the caller releases it.</summary>
        private void CountOut(MemberState state) => Interlocked.Decrement(ref _held[state].Value);

        /// <summary>Checks one reading of a member's in-flight count; <paramref name="holding"/> when the reader holds a lease on it.</summary>
        private void CheckInFlight(MemberState state, string where, bool holding)
        {
            int inFlight = state.InFlight;
            if (inFlight < (holding ? 1 : 0))
            {
                Problem($"{where}: {state.Id} has {inFlight} in flight{(holding ? " while a lease on it is held" : string.Empty)}");
            }
        }

        private void Watch(CancellationToken stop)
        {
            try
            {
                long pass = 0;
                while (!stop.IsCancellationRequested)
                {
                    ClusterSnapshot snapshot = _cluster.Snapshot;
                    foreach (SnapshotMember member in snapshot.Members)
                    {
                        _seen.TryAdd(member.State, 0);
                        CheckInFlight(member.State, "watcher (snapshot)", holding: false);
                    }

                    if (++pass % 16 == 0)
                    {
                        // Removed members too: leases on them end after they leave.
                        foreach (MemberState state in _seen.Keys)
                        {
                            CheckInFlight(state, "watcher (every member seen)", holding: false);
                        }
                    }

                    if (pass % 64 == 0)
                    {
                        CheckStatus(_cluster.GetStatus(), "watcher (GetStatus)");
                        Thread.Yield();
                    }

                    Interlocked.Increment(ref _watcherPasses);
                }
            }
            catch (Exception ex)
            {
                Unexpected("watcher", ex);
            }
        }

        private void CheckStatus(ClusterStatus status, string where)
        {
            foreach (MemberStatus member in status.Members)
            {
                if (member.InFlight < 0)
                {
                    Problem($"{where}: {member.Id} reports {member.InFlight} in flight");
                }

                // A concurrency refusal caps a member below the configured limit while it holds, never above.
                if (!_limitChanges && (member.ConcurrencyLimit is not int reported || reported > FixedLimit || reported < 1))
                {
                    Problem($"{where}: {member.Id} reports limit {member.ConcurrencyLimit?.ToString() ?? "none"}; the limit in force is {FixedLimit}");
                }
            }
        }

        private void Select(int seed, CancellationToken stop)
        {
            var random = new Random(seed);
            var held = new Queue<MemberLease>();
            try
            {
                for (int i = 0; i < MaxOperationsPerWorker && !stop.IsCancellationRequested; i++)
                {
                    MemberLease lease = default;
                    SelectionFailure failure = default;
                    bool selected;
                    int kind = random.Next(10);
                    try
                    {
                        switch (kind)
                        {
                            case < 6:
                                selected = _cluster.TrySelect(out lease, out failure);
                                break;
                            case < 8:
                                selected = _cluster.TrySelectPrimary(out lease, out failure);
                                break;
                            case 8:
                                lease = _cluster.Select();
                                selected = true;
                                break;
                            default:
                                lease = _cluster.SelectPrimary();
                                selected = true;
                                break;
                        }
                    }
                    catch (NoMemberAvailableException)
                    {
                        selected = false;
                    }

                    if (selected)
                    {
                        Interlocked.Increment(ref _selected);
                        MemberState member = lease.Member!;
                        _seen.TryAdd(member, 0);
                        CountIn(member, "selector after acquiring");
                        held.Enqueue(lease);
                        if (random.Next(8) == 0)
                        {
                            ReportOutcome(random, lease.MemberId);
                        }
                    }
                    else
                    {
                        Interlocked.Increment(ref _selectFailures);
                        CountRejections(failure);
                    }

                    if (held.Count >= MaxHeldLeases || random.Next(2) == 0)
                    {
                        if (held.TryDequeue(out MemberLease done))
                        {
                            CountOut(done.Member!);
                            done.Dispose();
                            if (random.Next(7) == 0)
                            {
                                done.Dispose();
                            }
                        }
                    }
                }
            }
            catch (Exception ex)
            {
                Unexpected("selector", ex);
            }
            finally
            {
                while (held.TryDequeue(out MemberLease rest))
                {
                    CountOut(rest.Member!);
                    rest.Dispose();
                }
            }
        }

        private void CountRejections(SelectionFailure failure)
        {
            if (!failure.IsFailure)
            {
                return;
            }

            for (int i = 0; i < failure.MemberCount; i++)
            {
                if (failure.GetRejection(i).Reason == MemberRejectionReason.ConcurrencyLimit)
                {
                    Interlocked.Increment(ref _concurrencyRejections);
                    return;
                }
            }
        }

        private void ReportOutcome(Random random, string memberId)
        {
            // The member may have been removed meanwhile: then the report finds nothing and returns false.
            _ = random.Next(3) == 0 ? _cluster.ReportOffline(memberId) : _cluster.ReportSuccess(memberId);
            Interlocked.Increment(ref _reports);
        }

        private async Task ExecuteLoopAsync(int seed, CancellationToken stop)
        {
            var random = new Random(seed);
            try
            {
                for (int i = 0; i < MaxOperationsPerWorker && !stop.IsCancellationRequested; i++)
                {
                    var tried = new List<MemberState>();
                    try
                    {
                        await _cluster.ExecuteAsync((lease, token) => AttemptAsync(random, tried, lease, token), stop);
                        Interlocked.Increment(ref _executed);
                    }
                    catch (Exception ex) when (ex is AllMembersFailedException or NoMemberAvailableException)
                    {
                        Interlocked.Increment(ref _executeFailures);
                    }
                    catch (TimeoutException)
                    {
                        // The operation's own exception, when the configuration in force has no offline classifier.
                        Interlocked.Increment(ref _ownExceptions);
                    }
                    catch (OperationCanceledException) when (stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }
            catch (Exception ex)
            {
                Unexpected("ExecuteAsync", ex);
            }
        }

        private async ValueTask<int> AttemptAsync(Random random, List<MemberState> tried, MemberLease lease, CancellationToken token)
        {
            MemberState member = lease.Member!;
            _seen.TryAdd(member, 0);
            CountIn(member, "ExecuteAsync operation");
            try
            {
                if (tried.Exists(m => ReferenceEquals(m, member)))
                {
                    Problem($"ExecuteAsync ran one operation twice on {member.Id}");
                }

                tried.Add(member);
                switch (random.Next(10))
                {
                    case < 2:
                        throw new MemberOfflineException("stress: offline");
                    case 2:
                        throw new MemberRefusedException(
                            (ThrottleLimitKind)random.Next(3),
                            random.Next(2) == 0 ? null : TimeSpan.FromMilliseconds(random.Next(1, 20)));
                    case 3:
                        throw new TimeoutException("stress: offline when the classifier in force says so");
                    case < 6:
                        await Task.Yield();
                        token.ThrowIfCancellationRequested();
                        return 1;
                    default:
                        return 1;
                }
            }
            finally
            {
                // ExecuteAsync releases the lease after the operation returns or throws.
                CountOut(member);
            }
        }

        private void Flap(int seed, CancellationToken stop)
        {
            var random = new Random(seed);
            try
            {
                for (int i = 0; i < MaxOperationsPerWorker && !stop.IsCancellationRequested; i++)
                {
                    string id = Pool[random.Next(Pool.Length)];
                    lock (_membership)
                    {
                        // Only this thread and Reconfigure (under the same lock) change membership, so the check holds.
                        bool present = _cluster.Snapshot.IndexOf(id) >= 0;
                        switch (random.Next(3))
                        {
                            case 0 when !present && _cluster.MemberCount < ClusterLimits.MaxMembers:
                                _cluster.AddMember(id, random.Next(3) == 0 ? "1.1" : "1.0", enabled: random.Next(5) > 0);
                                break;
                            case 1 when present && _cluster.MemberCount > 2:
                                if (!_cluster.RemoveMember(id))
                                {
                                    Problem($"RemoveMember({id}) found no member although the member was present");
                                }

                                break;
                            case 2:
                                if (_cluster.SetMemberEnabled(id, random.Next(4) > 0) != present)
                                {
                                    Problem($"SetMemberEnabled({id}) disagreed with the snapshot about the member being present ({present})");
                                }

                                break;
                        }
                    }

                    Interlocked.Increment(ref _flaps);
                    Thread.Sleep(random.Next(2));
                }
            }
            catch (Exception ex)
            {
                Unexpected("flapper", ex);
            }
        }

        private void Report(int seed, CancellationToken stop)
        {
            var random = new Random(seed);
            try
            {
                for (int i = 0; i < MaxOperationsPerWorker && !stop.IsCancellationRequested; i++)
                {
                    string id = random.Next(12) == 0 ? "gw-ghost" : Pool[random.Next(Pool.Length)];
                    switch (random.Next(6))
                    {
                        case < 3:
                            _cluster.ReportUtilization(id, Percentage(random), Percentage(random));
                            break;
                        case 3:
                            _cluster.ReportOffline(id);
                            break;
                        case 4:
                            _cluster.ReportSuccess(id);
                            break;
                        default:
                            _cluster.ReportRefusal(
                                id,
                                (ThrottleLimitKind)random.Next(3),
                                random.Next(2) == 0 ? null : TimeSpan.FromMilliseconds(random.Next(1, 30)));
                            break;
                    }

                    Interlocked.Increment(ref _reports);
                    if (i % 8 == 0)
                    {
                        Thread.Yield();
                    }
                }
            }
            catch (Exception ex)
            {
                Unexpected("reporter", ex);
            }

            static double Percentage(Random random) => random.Next(20) switch
            {
                0 => 0,
                1 => 100,
                < 5 => 90 + (random.NextDouble() * 10),
                _ => random.NextDouble() * 100,
            };
        }

        private void Reconfigure(int seed, CancellationToken stop)
        {
            var random = new Random(seed);
            try
            {
                for (int i = 0; i < MaxOperationsPerWorker && !stop.IsCancellationRequested; i++)
                {
                    if (random.Next(3) == 0)
                    {
                        _cluster.Mode = (SelectionMode)random.Next(3);
                        Interlocked.Increment(ref _modeSwitches);
                    }
                    else
                    {
                        ClusterOptions options = RandomOptions(random);
                        lock (_membership)
                        {
                            _cluster.Reconfigure(options);
                        }

                        Interlocked.Increment(ref _reconfigures);
                    }

                    Thread.Sleep(random.Next(1, 8));
                }
            }
            catch (Exception ex)
            {
                Unexpected("reconfigurer", ex);
            }
        }

        private ClusterOptions RandomOptions(Random random)
        {
            var options = new ClusterOptions
            {
                Mode = (SelectionMode)random.Next(3),
                CPUUtilizationPercentageThreshold = random.Next(3) == 0 ? 0 : random.Next(60, 96),
                MemoryUtilizationPercentageThreshold = random.Next(3) == 0 ? 0 : random.Next(60, 96),
                ResourceUtilizationAggregationTimeInMinutes = random.Next(1, 3),
                ConcurrentOperationLimitPreview = _limitChanges ? random.Next(2, HighestLimit + 1) : FixedLimit,
                MemberRefusalCoolDown = TimeSpan.FromMilliseconds(random.Next(5, 30)),
                TrackOfflineMembers = random.Next(10) > 0,
                OfflinePenaltyBaseDuration = TimeSpan.FromMilliseconds(2),
                OfflinePenaltyMaxDuration = TimeSpan.FromMilliseconds(20),
                OfflinePenaltyJitter = random.NextDouble() * 0.5,
                ThrottlePolicyFailureMode = (ThrottlePolicyFailureMode)random.Next(2),
                IsOfflineException = random.Next(2) == 0 ? null : static ex => ex is TimeoutException,
            };
            foreach (string id in Pool.OrderBy(_ => random.Next()).Take(random.Next(2, Pool.Length + 1)))
            {
                options.Members.Add(new ClusterMemberOptions(id, random.Next(4) == 0 ? "1.1" : "1.0", enabled: random.Next(5) > 0));
            }

            return options;
        }

        private void AdvanceClock(int seed, CancellationToken stop)
        {
            var random = new Random(seed);
            try
            {
                for (int i = 0; i < MaxOperationsPerWorker && !stop.IsCancellationRequested; i++)
                {
                    // Mostly milliseconds (penalties, cool-downs); now and then half a minute, so utilization samples leave the window.
                    _fakeTime!.Advance(random.Next(100) == 0 ? TimeSpan.FromSeconds(30) : TimeSpan.FromMilliseconds(random.Next(1, 15)));
                    Interlocked.Increment(ref _clockAdvances);
                    Thread.Sleep(random.Next(2));
                }
            }
            catch (Exception ex)
            {
                Unexpected("clock", ex);
            }
        }

        private void CheckQuiescence()
        {
            var watch = Stopwatch.StartNew();
            foreach (SnapshotMember member in _cluster.Snapshot.Members)
            {
                _seen.TryAdd(member.State, 0);
            }

            foreach (MemberState state in _seen.Keys)
            {
                if (state.InFlight != 0)
                {
                    Problem($"quiescence: {state.Id} still has {state.InFlight} in flight after every lease was disposed");
                }
            }

            ClusterStatus status;
            try
            {
                status = _cluster.GetStatus();
            }
            catch (Exception ex)
            {
                Unexpected("quiescence GetStatus", ex);
                return;
            }

            foreach (MemberStatus member in status.Members)
            {
                if (member.InFlight != 0)
                {
                    Problem($"quiescence: GetStatus reports {member.InFlight} in flight on {member.Id}");
                }
            }

            try
            {
                CheckRecovery();
            }
            catch (Exception ex)
            {
                Unexpected("quiescence recovery", ex);
            }

            _quiescence = $"checked in {watch.ElapsedMilliseconds} ms";
        }

        /// <summary>
        /// Reconfigured clean (every member enabled, no utilization limits, the limit of the run), with every member
        /// reporting success and every refusal over, failover selection must take exactly limit x members leases.
        /// </summary>
        private void CheckRecovery()
        {
            int limit = _limitChanges ? HighestLimit : FixedLimit;
            var options = new ClusterOptions { Mode = SelectionMode.Failover, ConcurrentOperationLimitPreview = limit };
            foreach (string id in Pool)
            {
                options.Members.Add(new ClusterMemberOptions(id, "1.0"));
            }

            _cluster.Reconfigure(options);
            var wait = Stopwatch.StartNew();
            while (true)
            {
                foreach (string id in Pool)
                {
                    _cluster.ReportSuccess(id);
                }

                ClusterStatus status = _cluster.GetStatus();
                // A concurrency refusal does not throttle its member: it caps it below the limit until the timer sees
                // its cool-down end, so the limit selections see is waited for too.
                if (status.Members.All(m => m.Throttle == MemberRejectionReason.None && m.Health == MemberHealth.Online
                    && m.ConcurrencyLimit == limit))
                {
                    break;
                }

                if (wait.Elapsed > RecoveryTimeout)
                {
                    Problem($"recovery: members still throttled, refused or unhealthy {RecoveryTimeout.TotalSeconds} s after the run: {string.Join(", ", status.Members.Select(m => $"{m} {m.Throttle} limit {m.ConcurrencyLimit}"))}");
                    return;
                }

                if (_fakeTime is null)
                {
                    Thread.Sleep(5);
                }
                else
                {
                    _fakeTime.Advance(TimeSpan.FromMilliseconds(50));
                }
            }

            var leases = new List<MemberLease>();
            try
            {
                while (leases.Count <= limit * Pool.Length && _cluster.TrySelect(out MemberLease lease))
                {
                    leases.Add(lease);
                }

                if (leases.Count != limit * Pool.Length)
                {
                    Problem($"recovery: failover selection took {leases.Count} leases; expected {limit} on each of {Pool.Length} members");
                }

                if (_cluster.GetStatus().Members.Any(m => m.InFlight != limit))
                {
                    Problem($"recovery: saturated members report {string.Join(", ", _cluster.GetStatus().Members.Select(m => m.InFlight))} in flight; expected {limit} each");
                }
            }
            finally
            {
                foreach (MemberLease lease in leases)
                {
                    lease.Dispose();
                }
            }

            if (_cluster.GetStatus().Members.Any(m => m.InFlight != 0))
            {
                Problem("recovery: members still report leases in flight after the saturating leases were disposed");
            }
        }
    }
}
