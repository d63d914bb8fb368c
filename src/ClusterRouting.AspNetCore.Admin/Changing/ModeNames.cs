namespace ClusterRouting.Admin;

/// <summary>Reads a mode by its name only: a number, or a name the engine does not define, is not a mode.</summary>
internal static class ModeNames
{
    public const string Expected = "\"Failover\", \"Random\", \"RoundRobin\" or \"LeastLoaded\"";

    public static bool TryParse(string? name, out SelectionMode mode)
    {
        foreach (SelectionMode candidate in (ReadOnlySpan<SelectionMode>)[SelectionMode.Failover, SelectionMode.Random, SelectionMode.RoundRobin, SelectionMode.LeastLoaded])
        {
            if (string.Equals(name, candidate.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                mode = candidate;
                return true;
            }
        }

        mode = default;
        return false;
    }
}
