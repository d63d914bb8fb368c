using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;

namespace ClusterRouting.AspNetCore;

/// <summary>
/// The member's instruments, on a meter named after the assembly and created through <see cref="IMeterFactory"/>:
/// refusals by limit, and requests in flight and the window's averages, observed when a listener collects them (so
/// they cost the request path nothing).
/// </summary>
internal sealed class MemberMetrics
{
    public const string MeterName = "ClusterRouting.AspNetCore";
    public const string RefusalsName = "cluster_routing.member_limits.refusals";
    public const string InFlightName = "cluster_routing.member_limits.requests.in_flight";
    public const string CpuName = "cluster_routing.member_limits.cpu.utilization";
    public const string MemoryName = "cluster_routing.member_limits.memory.utilization";
    public const string LimitTag = ClusterRoutingTelemetry.LimitTag;
    public const string MemberTag = ClusterRoutingTelemetry.MemberTag;

    private readonly Counter<long> _refusals;
    private MemberLimiter? _limiter;

    public MemberMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter meter = meterFactory.Create(new MeterOptions(MeterName));
        _refusals = meter.CreateCounter<long>(RefusalsName, "{request}", "Requests the member refused because it was at or over a limit, by limit.");
        meter.CreateObservableUpDownCounter(InFlightName, ObserveInFlight, "{request}", "Requests admitted by the member's limits and not yet completed.");
        meter.CreateObservableGauge(CpuName, () => ObserveAverage(cpu: true), "1", "The member's CPU utilization averaged over the aggregation window, from 0 to 1.");
        meter.CreateObservableGauge(MemoryName, () => ObserveAverage(cpu: false), "1", "The member's memory utilization averaged over the aggregation window, from 0 to 1.");
    }

    public void Observe(MemberLimiter limiter) => _limiter = limiter;

    public void Refused(MemberLimit limit)
    {
        if (_refusals.Enabled)
        {
            RecordRefusal(limit);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordRefusal(MemberLimit limit) =>
        _refusals.Add(1, new KeyValuePair<string, object?>(MemberTag, _limiter?.MemberId), new KeyValuePair<string, object?>(LimitTag, MemberLimitNames.NameOf(limit)));

    private IEnumerable<Measurement<long>> ObserveInFlight() =>
        _limiter is MemberLimiter limiter
            ? [new Measurement<long>(limiter.InFlight, new KeyValuePair<string, object?>(MemberTag, limiter.MemberId))]
            : [];

    private IEnumerable<Measurement<double>> ObserveAverage(bool cpu)
    {
        if (_limiter is not MemberLimiter limiter)
        {
            return [];
        }

        LoadVerdict verdict = limiter.Verdict;
        double? percent = cpu ? verdict.CpuPercent : verdict.MemoryPercent;
        return percent is double value
            ? [new Measurement<double>(value / 100, new KeyValuePair<string, object?>(MemberTag, limiter.MemberId))]
            : [];
    }
}
