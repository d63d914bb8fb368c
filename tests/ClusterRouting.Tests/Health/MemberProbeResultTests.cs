namespace ClusterRouting.Tests.Health;

/// <summary>
/// <see cref="MemberProbeResult"/> as a value: two results are equal only when everything the probe reported is, and
/// a result prints what the probe reported, for a log line.
/// </summary>
public sealed class MemberProbeResultTests
{
    [Fact]
    public void Equality_ResultsThatDifferOnlyInCpu_AreDifferent()
    {
        MemberProbeResult before = MemberProbeResult.Online(40, 50, "3000.1");
        MemberProbeResult after = MemberProbeResult.Online(45, 50, "3000.1");

        Assert.False(before.Equals(after));
        Assert.True(before != after);
    }

    [Fact]
    public void Equality_ResultsThatDifferOnlyInMemory_AreDifferent()
    {
        MemberProbeResult before = MemberProbeResult.Online(40, 50, "3000.1");
        MemberProbeResult after = MemberProbeResult.Online(40, 60, "3000.1");

        Assert.False(before.Equals(after));
        Assert.True(before != after);
    }

    [Fact]
    public void Equality_SameReadings_AreEqual()
    {
        MemberProbeResult first = MemberProbeResult.Online(40, 50, "3000.1");
        MemberProbeResult second = MemberProbeResult.Online(40, 50, "3000.1");

        Assert.True(first == second);
        Assert.False(first != second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Fact]
    public void ToString_OnlineWithEveryReading_ListsThem()
    {
        Assert.Equal("online (CPU 45.0%, memory 61.5%, version 3000.250.5)", MemberProbeResult.Online(45, 61.5, "3000.250.5").ToString());
    }

    [Fact]
    public void ToString_ReadingsTheProbeDidNotHave_AreDashes_AndNoVersionIsLeftOut()
    {
        Assert.Equal("online (CPU -%, memory -%)", MemberProbeResult.Online().ToString());
    }

    [Fact]
    public void ToString_Offline_SaysOffline()
    {
        Assert.Equal("offline", MemberProbeResult.Offline.ToString());
    }
}
