using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterRouting.Benchmarks;

/// <summary>
/// What metrics cost on the hot path: select + release on a 10-member failover cluster whose meter has no listener
/// (the baseline, the common case), the same with a MeterListener collecting every ClusterRouting instrument, and the
/// guard the hot path runs when nothing listens (one Enabled flag read), measured alone.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class MetricsBenchmarks
{
    private ServiceProvider _quietServices = null!;
    private ServiceProvider _listenedServices = null!;
    private ClusterSelector _quiet = null!;
    private ClusterSelector _listened = null!;
    private MeterListener _listener = null!;
    private ClusterMetrics _quietMetrics = null!;
    private long _measurements;

    [GlobalSetup]
    public void Setup()
    {
        _quietServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _listenedServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        IMeterFactory listenedFactory = _listenedServices.GetRequiredService<IMeterFactory>();
        _quiet = Create("quiet", _quietServices.GetRequiredService<IMeterFactory>());
        _listened = Create("listened", listenedFactory);
        _quietMetrics = _quiet.State.Metrics;

        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ClusterRoutingInstruments.MeterName && ReferenceEquals(instrument.Meter.Scope, listenedFactory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, _, _, _) => _measurements++);
        _listener.SetMeasurementEventCallback<double>((_, _, _, _) => _measurements++);
        _listener.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener.Dispose();
        _quietServices.Dispose();
        _listenedServices.Dispose();
    }

    [Benchmark(Baseline = true)]
    public int NoListener() => BenchmarkClusters.SelectAndRelease(_quiet);

    [Benchmark]
    public int WithListener() => BenchmarkClusters.SelectAndRelease(_listened);

    [Benchmark]
    public bool GuardsOnly() => _quietMetrics.SelectionsEnabled;

    private static ClusterSelector Create(string name, IMeterFactory meterFactory)
    {
        var options = new ClusterOptions();
        for (int i = 0; i < 10; i++)
        {
            options.Members.Add(new ClusterMemberOptions($"gw-{i}"));
        }

        return new ClusterSelector(name, options, meterFactory: meterFactory);
    }
}
