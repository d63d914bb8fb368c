using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace ClusterRouting.Tests.TestSupport;

/// <summary>
/// Records the measurements of the <c>ClusterRouting</c> meter created by one meter factory (the meter's scope), so
/// clusters created by other tests running at the same time, on other factories or on the shared meter, do not leak in.
/// </summary>
internal sealed class TestMeterListener : IDisposable
{
    public const string MeterName = "ClusterRouting";

    private readonly MeterListener _listener = new();

    public TestMeterListener(IMeterFactory scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                Instruments[instrument.Name] = instrument;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Gets the instruments enabled so far, by name.</summary>
    public ConcurrentDictionary<string, Instrument> Instruments { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<RecordedMeasurement> Measurements { get; } = new();

    /// <summary>The measurements of one instrument, in the order they were recorded.</summary>
    public RecordedMeasurement[] Of(string instrumentName) =>
        Measurements.Where(m => string.Equals(m.Instrument, instrumentName, StringComparison.Ordinal)).ToArray();

    /// <summary>Collects the observable instruments now and returns what <paramref name="instrumentName"/> reported, per member.</summary>
    public (string Member, double Value)[] Observe(string instrumentName)
    {
        int before = Of(instrumentName).Length;
        _listener.RecordObservableInstruments();
        return Of(instrumentName).Skip(before).Select(m => ((string)m.Tags["member"]!, m.Value)).ToArray();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        Measurements.Enqueue(new RecordedMeasurement(instrument.Name, instrument.Unit, value, copy));
    }
}

internal sealed record RecordedMeasurement(string Instrument, string? Unit, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    /// <summary>The tags as "key=value" strings in key order, for exact comparisons.</summary>
    public string[] TagText => Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}").ToArray();
}
