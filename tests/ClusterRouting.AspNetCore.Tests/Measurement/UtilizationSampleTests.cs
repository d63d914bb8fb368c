namespace ClusterRouting.AspNetCore.Tests.Measurement;

/// <summary>A measurement source's sample: value equality over both figures (unknown included) and its text.</summary>
public sealed class UtilizationSampleTests
{
    [Fact]
    public void Equality_SameFigures_AreEqual_AnUnknownFigureDiffersFromZero()
    {
        var a = new UtilizationSample(42.5, null);
        var b = new UtilizationSample(42.5, null);
        var zero = new UtilizationSample(42.5, 0);

        Assert.True(a == b);
        Assert.False(a != b);
        Assert.True(a.Equals((object)b));
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != zero);
        Assert.False(a.Equals(zero));
        Assert.False(a.Equals("42.5"));
        Assert.Equal(default, new UtilizationSample(null, null));
    }

    [Fact]
    public void ToString_SaysEachFigure_OrUnknown_InvariantCulture()
    {
        Assert.Equal("CPU 42.5 %, memory unknown", new UtilizationSample(42.5, null).ToString());
        Assert.Equal("CPU unknown, memory 61 %", new UtilizationSample(null, 61).ToString());
        Assert.Equal("CPU 0 %, memory 99.9 %", new UtilizationSample(0, 99.94).ToString());
    }
}
