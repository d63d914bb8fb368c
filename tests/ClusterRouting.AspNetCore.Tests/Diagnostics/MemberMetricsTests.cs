using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterRouting.AspNetCore.Tests.Diagnostics;

/// <summary>The member's instruments as a metrics backend lists them: name, unit and description.</summary>
public sealed class MemberMetricsTests
{
    [Fact]
    public void Instruments_HaveTheirUnitsAndDescriptions()
    {
        using ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory factory = services.GetRequiredService<IMeterFactory>();
        var published = new Dictionary<string, (string? Unit, string? Description)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == MemberMetrics.MeterName && instrument.Meter.Scope == factory)
                {
                    lock (published)
                    {
                        published[instrument.Name] = (instrument.Unit, instrument.Description);
                    }
                }
            },
        };
        listener.Start();

        _ = new MemberMetrics(factory);

        Assert.Equal(("{request}", "Requests the member refused because it was at or over a limit, by limit."), published[MemberMetrics.RefusalsName]);
        Assert.Equal(("{request}", "Requests admitted by the member's limits and not yet completed."), published[MemberMetrics.InFlightName]);
        Assert.Equal(("1", "The member's CPU utilization averaged over the aggregation window, from 0 to 1."), published[MemberMetrics.CpuName]);
        Assert.Equal(("1", "The member's memory utilization averaged over the aggregation window, from 0 to 1."), published[MemberMetrics.MemoryName]);
    }
}
