namespace ClusterRouting.AspNetCore.Tests.Measurement;

public sealed class CgroupCpuLimitTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cgroup-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("max 100000\n", null)]
    [InlineData("150000 100000\n", 1.5)]
    [InlineData("200000 100000", 2.0)]
    [InlineData("garbage", null)]
    [InlineData("0 100000", null)]
    [InlineData("", null)]
    public void ParseV2_CpuMax_ReadsQuotaInProcessors(string content, double? expected) =>
        Assert.Equal(expected, CgroupCpuLimit.ParseV2(content));

    [Theory]
    [InlineData("-1\n", "100000\n", null)]
    [InlineData("50000\n", "100000\n", 0.5)]
    [InlineData("300000", "100000", 3.0)]
    [InlineData("50000", "0", null)]
    public void ParseV1_QuotaAndPeriod_ReadsQuotaInProcessors(string quota, string period, double? expected) =>
        Assert.Equal(expected, CgroupCpuLimit.ParseV1(quota, period));

    [Fact]
    public void Read_CgroupV2Container_ReadsCpuMax()
    {
        File.WriteAllText(Path.Combine(_root, "cpu.max"), "250000 100000\n");

        Assert.Equal(2.5, CgroupCpuLimit.Read(_root));
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("cpu,cpuacct")]
    [InlineData("cpuacct,cpu")]
    public void Read_CgroupV1Container_ReadsCfsQuota(string controller)
    {
        Directory.CreateDirectory(Path.Combine(_root, controller));
        File.WriteAllText(Path.Combine(_root, controller, "cpu.cfs_quota_us"), "75000\n");
        File.WriteAllText(Path.Combine(_root, controller, "cpu.cfs_period_us"), "100000\n");

        Assert.Equal(0.75, CgroupCpuLimit.Read(_root));
    }

    [Fact]
    public void Read_CgroupV1_AControllerWithoutItsPeriod_IsSkippedForTheNext()
    {
        Directory.CreateDirectory(Path.Combine(_root, "cpu"));
        File.WriteAllText(Path.Combine(_root, "cpu", "cpu.cfs_quota_us"), "10000\n");
        Directory.CreateDirectory(Path.Combine(_root, "cpu,cpuacct"));
        File.WriteAllText(Path.Combine(_root, "cpu,cpuacct", "cpu.cfs_quota_us"), "150000\n");
        File.WriteAllText(Path.Combine(_root, "cpu,cpuacct", "cpu.cfs_period_us"), "100000\n");

        Assert.Equal(1.5, CgroupCpuLimit.Read(_root));
    }

    [Fact]
    public void Read_NoCgroupFiles_HasNoQuota() => Assert.Null(CgroupCpuLimit.Read(_root));

    [Fact]
    public void ProcessUtilizationSource_QuotaUnderProcessorCount_CountsTheQuota()
    {
        var source = new ProcessUtilizationSource(cpuQuota: 0.5, memoryBytes: 1 << 30);

        Assert.Equal(Math.Min(0.5, Environment.ProcessorCount), source.Processors);
        Assert.Equal(Environment.ProcessorCount, new ProcessUtilizationSource(cpuQuota: null, memoryBytes: 1 << 30).Processors);
        Assert.Equal(Environment.ProcessorCount, new ProcessUtilizationSource(cpuQuota: 1024, memoryBytes: 1 << 30).Processors);
    }
}
