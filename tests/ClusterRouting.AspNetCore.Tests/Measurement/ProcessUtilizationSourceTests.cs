using System.Diagnostics;
using System.Net;
using ClusterRouting.AspNetCore.Tests.TestSupport;

namespace ClusterRouting.AspNetCore.Tests.Measurement;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealCpuSerial
{
    public const string Name = "Real CPU measurement";
}

/// <summary>
/// The default measurement on the real process: a busy loop on the test's own threads must show up in it. Runs alone
/// (no other test class in parallel) and waits a bounded time, so a shared 2-core machine slows it but cannot fail it
/// unless the measurement is wrong.
/// </summary>
[Collection(RealCpuSerial.Name)]
public class ProcessUtilizationSourceTests
{
    private static readonly TimeSpan BusyBudget = TimeSpan.FromSeconds(20);

    [Fact]
    public void Measure_FirstCall_HasNoCpuButMeasuresMemory()
    {
        var source = new ProcessUtilizationSource();

        UtilizationSample first = source.Measure();

        Assert.Null(first.CpuPercent);
        Assert.NotNull(first.MemoryPercent);
        Assert.InRange(first.MemoryPercent!.Value, double.Epsilon, 100);
    }

    [Fact]
    public void Measure_NoMemoryKnown_HasNoMemoryPercent() => Assert.Null(new ProcessUtilizationSource(null, 0).Measure().MemoryPercent);

    [Fact]
    public void Measure_Memory_IsTheWorkingSetShareOfTheAvailableBytes()
    {
        long available = Environment.WorkingSet * 4;

        double? memory = new ProcessUtilizationSource(null, available).Measure().MemoryPercent;

        // About 25 %: the working set moves a little between the two reads.
        Assert.NotNull(memory);
        Assert.InRange(memory.Value, 12.5, 50);
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Measure_BusyLoopOnEveryProcessor_RaisesProcessCpu()
    {
        var source = new ProcessUtilizationSource();
        source.Measure();
        double highest = 0;
        var budget = Stopwatch.StartNew();

        // Spin every processor for 300 ms, then measure; repeat until the figure moves or the budget is spent. Spinning
        // all of them at once makes the figure nearly 100 % on an idle machine; 30 % leaves room for a busy neighbour.
        while (highest < 30 && budget.Elapsed < BusyBudget)
        {
            Spin(Environment.ProcessorCount, TimeSpan.FromMilliseconds(300));
            UtilizationSample sample = source.Measure();
            Assert.NotNull(sample.CpuPercent);
            Assert.InRange(sample.CpuPercent!.Value, 0, 100);
            highest = Math.Max(highest, sample.CpuPercent.Value);
        }

        Assert.True(highest >= 30, $"A busy loop on {Environment.ProcessorCount} threads raised the measured CPU to {highest:0.#} % at most in {BusyBudget.TotalSeconds} s.");
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task UseClusterMemberLimits_RealMeasurementAndBusyLoop_RefusesForCpu()
    {
        // The default source (no injected one) and the real clock: sampled every 100 ms, a threshold of 20 %.
        await using MemberServer member = await MemberServer.StartAsync(o =>
        {
            o.CPUUtilizationPercentageThreshold = 20;
            o.ResourceUtilizationAggregationTimeInMinutes = 1;
            o.SamplingInterval = TimeSpan.FromMilliseconds(100);
        });
        HttpStatusCode status = HttpStatusCode.OK;
        var budget = Stopwatch.StartNew();
        while (status == HttpStatusCode.OK && budget.Elapsed < BusyBudget)
        {
            Spin(Environment.ProcessorCount, TimeSpan.FromMilliseconds(300));
            using HttpResponseMessage response = await member.Client.GetAsync(new Uri("/fast", UriKind.Relative));
            status = response.StatusCode;
            if (status != HttpStatusCode.OK)
            {
                await Refusal.AssertRefusedAsync(response, "cpu");
            }
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.True(member.Limiter.Verdict.CpuPercent >= 20);
    }

    private static void Spin(int threads, TimeSpan duration)
    {
        var running = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            running[i] = new Thread(() =>
            {
                var clock = Stopwatch.StartNew();
                double x = 1;
                while (clock.Elapsed < duration)
                {
                    x = Math.Sqrt(x + 1);
                }

                GC.KeepAlive(x);
            });
            running[i].Start();
        }

        foreach (Thread thread in running)
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(10)), "a busy thread did not end");
        }
    }
}
