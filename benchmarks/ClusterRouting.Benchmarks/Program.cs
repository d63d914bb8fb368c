using BenchmarkDotNet.Running;

namespace ClusterRouting.Benchmarks;

/// <summary>Entry point: lets BenchmarkDotNet pick benchmarks from the command line (--filter, --job, ...).</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
