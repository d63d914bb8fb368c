namespace ClusterRouting;

/// <summary>
/// Which candidates a selection may consider. Implemented by structs so that the JIT specializes each selection for
/// its filter: with <see cref="NoFilter"/> the check disappears from the hot path.
/// </summary>
internal interface ICandidateFilter
{
    bool Allows(MemberSlots member);
}

/// <summary>Every candidate is allowed: the filter of an ordinary selection.</summary>
internal readonly struct NoFilter : ICandidateFilter
{
    public bool Allows(MemberSlots member) => true;
}

/// <summary>Members already tried in one run with failover are not allowed again.</summary>
internal readonly struct ExcludeTried : ICandidateFilter
{
    private readonly MemberSlots[] _tried;
    private readonly int _count;

    public ExcludeTried(MemberSlots[] tried, int count)
    {
        _tried = tried;
        _count = count;
    }

    public bool Allows(MemberSlots member)
    {
        for (int i = 0; i < _count; i++)
        {
            if (ReferenceEquals(_tried[i], member))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Members whose ids (compared ignoring case) a caller already tried, for a retry or a hedge elsewhere.</summary>
internal readonly struct ExcludeIds : ICandidateFilter
{
    private readonly IReadOnlyList<string> _ids;

    public ExcludeIds(IReadOnlyList<string> ids)
    {
        _ids = ids;
    }

    public bool Allows(MemberSlots member)
    {
        for (int i = 0; i < _ids.Count; i++)
        {
            if (string.Equals(_ids[i], member.Member.Id, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
