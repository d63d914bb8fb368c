using System.Globalization;

namespace ClusterRouting.AspNetCore;

/// <summary>
/// What the last sample decided: the averages in the window and whether the member is over its CPU or memory limit,
/// with the Retry-After to answer. Immutable: the sampler publishes a new one, requests read it with one load.
/// </summary>
internal sealed class LoadVerdict
{
    public static readonly LoadVerdict Empty = new(null, null, MemberLimit.None, TimeSpan.Zero);

    public LoadVerdict(double? cpuPercent, double? memoryPercent, MemberLimit limit, TimeSpan retryAfter)
    {
        CpuPercent = cpuPercent;
        MemoryPercent = memoryPercent;
        Limit = limit;
        RetryAfterSeconds = RetryAfter.Seconds(retryAfter);
        RetryAfterText = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
    }

    public double? CpuPercent { get; }

    public double? MemoryPercent { get; }

    /// <summary><see cref="MemberLimit.None"/>, <see cref="MemberLimit.Cpu"/> or <see cref="MemberLimit.Memory"/>.</summary>
    public MemberLimit Limit { get; }

    public long RetryAfterSeconds { get; }

    /// <summary>Formatted once, when the verdict is made, not per refusal.</summary>
    public string RetryAfterText { get; }
}
