namespace ClusterRouting.Tool;

/// <summary>The command line cannot be carried out as written; the message says what to change.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }
}
