using ClusterRouting.Tests.TestSupport;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.Time.Testing;

namespace ClusterRouting.Tests.Throttling;

public class ThrottlingPropertyTests
{
    private const int Buckets = 60;

    /// <summary>One step: advance the clock by some seconds, then maybe report a sample.</summary>
    private readonly record struct Step(int AdvanceSeconds, int? Cpu, int? Memory);

    [PinnedProperty(500)]
    public Property ThrottleDecision_EqualsAPlainReferenceComputationOfTheWindowedAverage()
    {
        Gen<Step> steps =
            from advance in Gen.Frequency((3, Gen.Choose(0, 20)), (1, Gen.Choose(20, 400)))
            from sample in Gen.Frequency((4, Gen.Choose(0, 100).Select(v => (int?)v)), (1, Gen.Constant<int?>(null)))
            from memory in Gen.Choose(0, 100)
            select new Step(advance, sample, sample is null ? null : memory);
        Gen<(int CpuThreshold, int MemoryThreshold, int WindowMinutes, Step[] Steps)> cases =
            from cpu in Gen.Choose(0, 100)
            from memory in Gen.Choose(0, 100)
            from window in Gen.Choose(1, 6)
            from list in Gen.ListOf(steps)
            select (cpu, memory, window, list.ToArray());

        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var time = new FakeTimeProvider();
            var options = Clusters.Options(2);
            options.CPUUtilizationPercentageThreshold = c.CpuThreshold;
            options.MemoryUtilizationPercentageThreshold = c.MemoryThreshold;
            options.ResourceUtilizationAggregationTimeInMinutes = c.WindowMinutes;
            var cluster = new ClusterSelector("p", options, time);
            var samples = new List<(TimeSpan At, int Cpu, int Memory)>();
            var now = TimeSpan.Zero;
            long bucketTicks = TimeSpan.FromMinutes(c.WindowMinutes).Ticks / Buckets;

            foreach (Step step in c.Steps)
            {
                time.Advance(TimeSpan.FromSeconds(step.AdvanceSeconds));
                now += TimeSpan.FromSeconds(step.AdvanceSeconds);
                if (step.Cpu is int cpu)
                {
                    cluster.ReportUtilization("gw-0", cpu, step.Memory!.Value);
                    samples.Add((now, cpu, step.Memory.Value));
                }

                // Reference: a sample counts while fewer than 60 buckets separate its bucket from the current one.
                var inWindow = samples.Where(s => (now.Ticks / bucketTicks) - (s.At.Ticks / bucketTicks) < Buckets).ToArray();
                double? cpuAverage = inWindow.Length == 0 ? null : (double)inWindow.Sum(s => s.Cpu) / inWindow.Length;
                double? memoryAverage = inWindow.Length == 0 ? null : (double)inWindow.Sum(s => s.Memory) / inWindow.Length;
                bool throttled = (c.CpuThreshold > 0 && cpuAverage >= c.CpuThreshold) || (c.MemoryThreshold > 0 && memoryAverage >= c.MemoryThreshold);

                MemberStatus status = cluster.GetStatus().Members[0];
                if (cluster.SelectOnce() != (throttled ? "gw-1" : "gw-0") || status.CpuPercent != cpuAverage || status.MemoryPercent != memoryAverage)
                {
                    return false;
                }
            }

            return true;
        });
    }
}
