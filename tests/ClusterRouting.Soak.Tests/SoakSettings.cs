using System.Globalization;

namespace ClusterRouting.Soak.Tests;

/// <summary>
/// The soak's shape. The duration comes from <c>CLUSTERROUTING_SOAK_SECONDS</c> (60 s when unset: the run CI makes) and
/// the fault schedule's seed from <c>CLUSTERROUTING_SOAK_SEED</c>; everything else is fixed here so that a run's
/// figures can be compared with another's.
/// </summary>
internal static class SoakSettings
{
    public const string SecondsVariable = "CLUSTERROUTING_SOAK_SECONDS";
    public const string SeedVariable = "CLUSTERROUTING_SOAK_SEED";

    /// <summary>Each member's ConcurrentOperationLimitPreview, and each router's for each member.</summary>
    public const int MemberLimit = 8;

    /// <summary>Callers per router, each sending one request at a time: 2 x 12 = 24 at once, against 3 x 8 = 24 slots.</summary>
    public const int CallersPerRouter = 12;

    /// <summary>The CPU threshold of the members and of the routers' clusters.</summary>
    public const double CpuThreshold = 80;

    /// <summary>A normal <c>/work</c> request takes 2 to 8 ms.</summary>
    public const int WorkMinMs = 2;
    public const int WorkMaxMs = 8;

    /// <summary>A slow one takes 200 to 2,500 ms: some outlast router A's attempt timeout.</summary>
    public const int SlowMinMs = 200;
    public const int SlowMaxMs = 2_500;

    /// <summary>Router A's attempt timeout (router B has none).</summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromMilliseconds(1_500);

    /// <summary>The longest cool-down a member's Retry-After can impose on a router.</summary>
    public static readonly TimeSpan MaxRefusalCoolDown = TimeSpan.FromSeconds(2);

    /// <summary>The members' measurement clock runs this many times faster than real time, so that a one-minute window fills in 3 s.</summary>
    public const int MemberClockSpeedUp = 20;

    public static TimeSpan Duration { get; } = TimeSpan.FromSeconds(ReadInt(SecondsVariable, 60, minimum: 20));

    public static int Seed { get; } = ReadInt(SeedVariable, 18, minimum: int.MinValue);

    /// <summary>Load runs this long before the memory taken as the warm-up figure is measured: a sixth of the run, at least 10 s.</summary>
    public static TimeSpan WarmUp => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(10).Ticks, Duration.Ticks / 6));

    private static int ReadInt(string variable, int fallback, int minimum)
    {
        string? text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        int value = int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
        return value < minimum ? throw new ArgumentOutOfRangeException(variable, value, $"{variable} must be at least {minimum}.") : value;
    }
}
