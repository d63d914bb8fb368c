using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using ClusterRouting.Soak.Tests.Cluster;

namespace ClusterRouting.Soak.Tests.Load;

/// <summary>
/// The steady load: <see cref="SoakSettings.CallersPerRouter"/> callers per router, each sending one idempotent
/// <c>GET /work?id=N</c> at a time, back to back, until stopped. A request is served when it completes with the
/// member's answer: status 200 and the body <c>"{member id} {N}"</c> of a member of the cluster. It is retried only as
/// <see cref="RetryRule"/> says; anything else is a loss, recorded with what happened.
/// </summary>
internal sealed class LoadGenerator
{
    private const int KeptLosses = 20;

    private readonly IReadOnlyList<SoakRouter> _routers;
    private readonly HashSet<string> _memberIds;
    private readonly ConcurrentDictionary<string, long> _servedBy = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _retriedFor = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LossKind> _losses = new(StringComparer.Ordinal);
    private readonly Lock _longestGate = new();
    private string _longestHistory = "";
    private long _nextId;
    private long _served;
    private long _lost;
    private long _retries;
    private int _mostTries;
    private long _longestTicks;

    public LoadGenerator(IReadOnlyList<SoakRouter> routers, IEnumerable<string> memberIds)
    {
        _routers = routers;
        _memberIds = new HashSet<string>(memberIds, StringComparer.Ordinal);
    }

    public long Sent => Interlocked.Read(ref _nextId);

    public long Served => Interlocked.Read(ref _served);

    public long Lost => Interlocked.Read(ref _lost);

    public long Retries => Interlocked.Read(ref _retries);

    public int MostTries => Volatile.Read(ref _mostTries);

    /// <summary>Gets the longest time one request took, retries included.</summary>
    public TimeSpan Longest => TimeSpan.FromTicks(Interlocked.Read(ref _longestTicks));

    /// <summary>Gets what the longest request went through: each failed try, and how it ended.</summary>
    public string LongestHistory
    {
        get
        {
            lock (_longestGate)
            {
                return _longestHistory;
            }
        }
    }

    /// <summary>Gets the requests served, by "router/member".</summary>
    public IReadOnlyDictionary<string, long> ServedBy => _servedBy;

    /// <summary>Gets the retries, by the failure's type.</summary>
    public IReadOnlyDictionary<string, long> RetriedFor => _retriedFor;

    /// <summary>Gets the losses by kind (what happened, and where in the library), each with its count and first example in full.</summary>
    public IReadOnlyCollection<string> Losses => _losses.Select(p => $"{p.Value.Count:N0} x {p.Key}; the first: {p.Value.First}").ToArray();

    /// <summary>Runs every caller until <paramref name="stopping"/> is canceled; a request under way when it is finishes (within its budget).</summary>
    public Task RunAsync(CancellationToken stopping)
    {
        var callers = new List<Task>();
        foreach (SoakRouter router in _routers)
        {
            for (int i = 0; i < SoakSettings.CallersPerRouter; i++)
            {
                callers.Add(Task.Run(() => CallAsync(router, stopping), CancellationToken.None));
            }
        }

        return Task.WhenAll(callers);
    }

    private async Task CallAsync(SoakRouter router, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            long id = Interlocked.Increment(ref _nextId);
            await SendAsync(router, id);
        }
    }

    private async Task SendAsync(SoakRouter router, long id)
    {
        long started = TimeProvider.System.GetTimestamp();
        using var budget = new CancellationTokenSource(RetryRule.Budget);
        string path = "work?id=" + id.ToString(CultureInfo.InvariantCulture);
        List<string>? history = null;
        for (int tries = 1; ; tries++)
        {
            string? loss;
            string? kind = null;
            TimeSpan wait;
            try
            {
                using HttpResponseMessage response = await router.Client.GetAsync(new Uri(path, UriKind.Relative), budget.Token);
                string body = await response.Content.ReadAsStringAsync(budget.Token);
                string? member = MemberOf(body, id);
                if (response.StatusCode == HttpStatusCode.OK && member is not null)
                {
                    Interlocked.Increment(ref _served);
                    _servedBy.AddOrUpdate(router.Name + "/" + member, 1, static (_, n) => n + 1);
                    Record(router, tries, started, history, "served by " + member);
                    return;
                }

                loss = $"answered {(int)response.StatusCode} with \"{Shorten(body)}\"";
                kind = $"answered {(int)response.StatusCode}";
                wait = TimeSpan.Zero;
            }
#pragma warning disable CA1031 // Every failure is classified: retried by the rule, or recorded as a loss.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                if (RetryRule.IsRetryable(ex, out wait))
                {
                    loss = null;
                    _retriedFor.AddOrUpdate(ex.GetType().Name, 1, static (_, n) => n + 1);
                    (history ??= new()).Add($"{TimeProvider.System.GetElapsedTime(started).TotalMilliseconds:0} ms {ex.GetType().Name}: {Shorten(ex.Message, 300)} (wait {wait.TotalMilliseconds:0} ms)");
                }
                else
                {
                    loss = budget.IsCancellationRequested ? $"ran out of its {RetryRule.Budget.TotalSeconds:0} s budget: {ex.GetType().Name}" : ex.ToString();
                    kind = budget.IsCancellationRequested ? "ran out of budget" : KindOf(ex);
                }
            }

            if (loss is null && tries >= RetryRule.MaxTries)
            {
                loss = $"still not served after {tries} tries";
                kind = "out of tries";
            }

            if (loss is null && TimeProvider.System.GetElapsedTime(started) + wait > RetryRule.Budget)
            {
                loss = $"would outlast its {RetryRule.Budget.TotalSeconds:0} s budget after {tries} tries";
                kind = "out of budget";
            }

            if (loss is not null)
            {
                Lose(router, id, tries, kind ?? "other", loss);
                Record(router, tries, started, history, "lost");
                return;
            }

            Interlocked.Increment(ref _retries);
            await Task.Delay(wait, CancellationToken.None);
        }
    }

    private string? MemberOf(string body, long id)
    {
        int space = body.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !long.TryParse(body.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long answered) || answered != id)
        {
            return null;
        }

        string member = body[..space];
        return _memberIds.Contains(member) ? member : null;
    }

    private void Lose(SoakRouter router, long id, int tries, string kind, string what)
    {
        Interlocked.Increment(ref _lost);
        if (_losses.Count < KeptLosses || _losses.ContainsKey(kind))
        {
            _losses.AddOrUpdate(
                kind,
                _ => new LossKind($"{DateTime.UtcNow:HH:mm:ss.fff} router {router.Name}, request {id}, try {tries}: {Shorten(what, 4000)}"),
                static (_, existing) => existing.Add());
        }
    }

    /// <summary>A loss's kind: the exception types, outermost first, and the innermost frame of the library that threw.</summary>
    private static string KindOf(Exception ex)
    {
        var types = new List<string>();
        string? frame = null;
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            types.Add(e.GetType().Name);
            string? first = e.StackTrace?.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at ClusterRouting.", StringComparison.Ordinal) && !l.StartsWith("at ClusterRouting.Soak", StringComparison.Ordinal));
            frame = first ?? frame;
        }

        return string.Join(" > ", types) + (frame is null ? "" : " " + Shorten(frame.Split(" in ")[0], 160));
    }

    private void Record(SoakRouter router, int tries, long started, List<string>? history, string end)
    {
        int most;
        while (tries > (most = Volatile.Read(ref _mostTries)) && Interlocked.CompareExchange(ref _mostTries, tries, most) != most)
        {
        }

        long ticks = TimeProvider.System.GetElapsedTime(started).Ticks;
        if (ticks > Interlocked.Read(ref _longestTicks))
        {
            lock (_longestGate)
            {
                if (ticks > _longestTicks)
                {
                    Interlocked.Exchange(ref _longestTicks, ticks);
                    _longestHistory = $"router {router.Name}, {tries} tries: " + string.Join(" | ", history ?? []) + $" | {TimeSpan.FromTicks(ticks).TotalMilliseconds:0} ms {end}";
                }
            }
        }
    }

    private static string Shorten(string text, int length = 200) => text.Length <= length ? text : text[..length] + "...";

    private sealed class LossKind(string first)
    {
        private long _count = 1;

        public long Count => Interlocked.Read(ref _count);

        public string First { get; } = first;

        public LossKind Add()
        {
            Interlocked.Increment(ref _count);
            return this;
        }
    }
}
