namespace ClusterRouting.Http.Tests.TestSupport;

/// <summary>The gateway documentation's sentences for each limit, copied word for word from the documentation (not from src).</summary>
internal static class GatewayMessages
{
    public const string Cpu = "The gateway you selected can't establish data source connections because it's exceeded the CPU limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.";

    public const string Memory = "The gateway you selected can't establish data source connections because it's exceeded the memory limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.";

    public const string Concurrency = "The gateway you selected can't establish data source connections because it's exceeded the concurrency limit set by your gateway admin. Try again later, or ask your gateway admin to increase the limit.";
}
