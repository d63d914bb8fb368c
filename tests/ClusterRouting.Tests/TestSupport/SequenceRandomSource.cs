namespace ClusterRouting.Tests.TestSupport;

/// <summary>A random source that returns a fixed sequence of values (each taken modulo the bound), as YARP's TestRandom does.</summary>
internal sealed class SequenceRandomSource : RandomSource
{
    private readonly int[] _values;
    private int _next;

    public SequenceRandomSource(params int[] values)
    {
        _values = values;
    }

    public List<int> Bounds { get; } = new();

    public override int Next(int maxValue)
    {
        Bounds.Add(maxValue);
        int value = _values[_next % _values.Length];
        _next++;
        return value % maxValue;
    }
}
