namespace ClusterRouting.AspNetCore.Tests.TestSupport;

/// <summary>The gateway's documented sentences, copied from the documents by hand (not from the library) so a change to either shows.</summary>
internal static class Gateway
{
    public const string CpuSentence = "The gateway you selected can't establish data source connections because it's exceeded the CPU limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.";

    public const string MemorySentence = "The gateway you selected can't establish data source connections because it's exceeded the memory limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.";

    public const string ConcurrencySentence = "The gateway you selected can't establish data source connections because it's exceeded the concurrency limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.";

    public static string SentenceFor(string limit) => limit switch
    {
        "cpu" => CpuSentence,
        "memory" => MemorySentence,
        "concurrency" => ConcurrencySentence,
        _ => throw new ArgumentOutOfRangeException(nameof(limit)),
    };
}
