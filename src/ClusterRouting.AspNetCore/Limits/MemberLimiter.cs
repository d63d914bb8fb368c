using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClusterRouting.AspNetCore;

/// <summary>
/// The member's admission state: requests in flight (one Interlocked counter, no lock), the CPU and memory verdict that
/// the sampler publishes, and the bookkeeping that logs refusals per limit when they start and stop rather than per
/// request.
/// </summary>
internal sealed class MemberLimiter
{
    private const int LimitSlots = 4;

    private readonly int _concurrencyLimit;
    private readonly ILogger _logger;
    private readonly MemberMetrics _metrics;

    // Refusals since the last quiet check, per limit (index = MemberLimit), and the limits whose refusals are logged
    // as started (bits 1 << MemberLimit). Written only on the refusal path and by the sampler.
    private readonly long[] _refusedSinceCheck = new long[LimitSlots];
    private readonly long[] _refusedInEpisode = new long[LimitSlots];
    private int _refusing;

    private int _inFlight;
    private LoadVerdict _verdict = LoadVerdict.Empty;
    private PathString[] _healthPaths = [];

    public MemberLimiter(MemberLimitsOptions options, ILogger logger, MemberMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        MemberId = options.Id;
        IsConcurrencyBypassed = options.BypassConcurrentOperationLimit;
        _concurrencyLimit = options.ConcurrentOperationLimitPreview;
        _logger = GuardedLogger.Wrap(logger);
        _metrics = metrics;
        metrics.Observe(this);
    }

    public MemberLimitsOptions Options { get; }

    public string MemberId { get; }

    public bool IsConcurrencyBypassed { get; }

    /// <summary>The concurrent-operation limit, or <see langword="null"/> when it is bypassed.</summary>
    public int? ConcurrencyLimit => IsConcurrencyBypassed ? null : _concurrencyLimit;

    public int InFlight => Volatile.Read(ref _inFlight);

    public LoadVerdict Verdict => Volatile.Read(ref _verdict);

    /// <summary>
    /// Admits a request and counts it in flight, or says which limit refuses it (CPU, then memory, then concurrency,
    /// the gateway's order). An admitted request must be released exactly once with <see cref="Release"/>.
    /// </summary>
    public MemberLimit TryAdmit(out LoadVerdict verdict)
    {
        verdict = Volatile.Read(ref _verdict);
        if (verdict.Limit != MemberLimit.None)
        {
            return verdict.Limit;
        }

        if (IsConcurrencyBypassed)
        {
            Interlocked.Increment(ref _inFlight);
            return MemberLimit.None;
        }

        // Compare-and-swap instead of increment-then-undo: an increment past the limit, however briefly, would refuse
        // a request that arrives at the same moment as a slot frees, and the limit would not be exact.
        int current = Volatile.Read(ref _inFlight);
        while (true)
        {
            if (current >= _concurrencyLimit)
            {
                return MemberLimit.Concurrency;
            }

            int seen = Interlocked.CompareExchange(ref _inFlight, current + 1, current);
            if (seen == current)
            {
                return MemberLimit.None;
            }

            current = seen;
        }
    }

    public void Release() => Interlocked.Decrement(ref _inFlight);

    /// <summary>
    /// Adds the literal path of a health endpoint: a request to it passes the limits even when the middleware runs
    /// before routing has selected its endpoint (and so cannot see the endpoint's metadata).
    /// </summary>
    public void AddHealthPath(string pattern)
    {
        if (pattern.Contains('{', StringComparison.Ordinal) || pattern.Contains('*', StringComparison.Ordinal))
        {
            return;
        }

        var path = new PathString(pattern.StartsWith('/') ? pattern : "/" + pattern);
        lock (_refusedInEpisode)
        {
            _healthPaths = [.. _healthPaths, path];
        }
    }

    /// <summary>Whether a request that routing has not matched yet is for a health endpoint.</summary>
    public bool IsHealthPath(PathString path)
    {
        PathString[] paths = Volatile.Read(ref _healthPaths);
        for (int i = 0; i < paths.Length; i++)
        {
            if (path.Equals(paths[i], StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Which limit the member is over now, for the health endpoint: the verdict's, or concurrency when it is full.</summary>
    public MemberLimit CurrentLimit()
    {
        LoadVerdict verdict = Verdict;
        if (verdict.Limit != MemberLimit.None)
        {
            return verdict.Limit;
        }

        return !IsConcurrencyBypassed && InFlight >= _concurrencyLimit ? MemberLimit.Concurrency : MemberLimit.None;
    }

    /// <summary>Counts a refusal; the first of an episode is logged.</summary>
    public void OnRefused(MemberLimit limit)
    {
        Interlocked.Increment(ref _refusedSinceCheck[(int)limit]);
        int bit = 1 << (int)limit;
        if ((Volatile.Read(ref _refusing) & bit) == 0 && (Interlocked.Or(ref _refusing, bit) & bit) == 0)
        {
            string name = MemberLimitNames.NameOf(limit)!;
            Log.RefusalsStarted(_logger, MemberId, name);
        }

        _metrics.Refused(limit);
    }

    /// <summary>Publishes what the sampler decided.</summary>
    public void Publish(LoadVerdict verdict) => Volatile.Write(ref _verdict, verdict);

    /// <summary>
    /// Called by the sampler once per interval: a limit that refused nothing since the previous call has stopped
    /// refusing, which is logged once with the episode's count. Several refusals and admissions a second at the
    /// concurrency limit are one episode, not a log line each.
    /// </summary>
    public void EndQuietEpisodes()
    {
        for (int limit = 1; limit < LimitSlots; limit++)
        {
            long recent = Interlocked.Exchange(ref _refusedSinceCheck[limit], 0);
            int bit = 1 << limit;
            if ((Volatile.Read(ref _refusing) & bit) == 0)
            {
                _refusedInEpisode[limit] = recent;
                continue;
            }

            if (recent > 0)
            {
                _refusedInEpisode[limit] += recent;
                continue;
            }

            Interlocked.And(ref _refusing, ~bit);
            string name = MemberLimitNames.NameOf((MemberLimit)limit)!;
            Log.RefusalsStopped(_logger, MemberId, name, _refusedInEpisode[limit]);
            _refusedInEpisode[limit] = 0;
        }
    }
}
