namespace ClusterRouting.Tests.Selection;

/// <summary>A pick packs the position, the stripe and the probe epoch into one word: each comes back as it went in, at the edges of its range.</summary>
public sealed class PickTests
{
    [Theory]
    [InlineData(0, 0, -1)]
    [InlineData(9, 15, -1)]
    [InlineData(1, 7, 0)]
    [InlineData(int.MaxValue, 15, ProbeGate.MaxEpoch)]
    [InlineData(123_456, 3, 5_000_000)]
    [InlineData(2, 0, ProbeGate.MaxEpoch - 1)]
    public void Fields_ComeBackAsTheyWentIn(int position, int stripe, int probeEpoch)
    {
        var pick = new Pick(position, stripe, probeEpoch);

        Assert.Equal(position, pick.Position);
        Assert.Equal(stripe, pick.Stripe);
        Assert.Equal(probeEpoch, pick.ProbeEpoch);
        Assert.True(pick.IsTaken);
    }

    [Fact]
    public void None_IsNotTaken_AndHoldsNoProbe()
    {
        Assert.False(Pick.None.IsTaken);
        Assert.Equal(-1, Pick.None.Position);
        Assert.Equal(-1, Pick.None.ProbeEpoch);
    }

    [Fact]
    public void ANegativePosition_IsNotTaken_WhateverTheOtherFields()
    {
        Assert.False(new Pick(-1, 15, ProbeGate.MaxEpoch).IsTaken);
        Assert.False(new Pick(int.MinValue, 0, -1).IsTaken);
    }
}
