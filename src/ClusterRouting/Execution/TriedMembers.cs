namespace ClusterRouting;

/// <summary>
/// The members one run of <c>ExecuteAsync</c> has tried, so that no later attempt of the run (a failover or a hedge)
/// goes back to one of them. The array is allocated with the first member added, so a run whose first attempt
/// succeeds allocates nothing, and doubles when full.
/// </summary>
internal struct TriedMembers
{
    private MemberSlots[]? _members;
    private int _count;

    /// <summary>Gets how many members the run has tried.</summary>
    public readonly int Count => _count;

    /// <summary>Adds a member the run has tried; <paramref name="clusterSize"/> sizes the array at the first.</summary>
    public void Add(MemberSlots member, int clusterSize)
    {
        _members ??= new MemberSlots[Math.Max(clusterSize, 4)];

        // Stryker disable once Equality : with != the array doubles whenever it is not full, so it is never full when written: only more memory
        if (_count == _members.Length)
        {
            Array.Resize(ref _members, _count * 2);
        }

        _members[_count++] = member;
    }

    /// <summary>Gets the filter that leaves out every member tried so far.</summary>
    /// <remarks>Before the first member is added there is no array, and a count of 0: the filter reads none.</remarks>
    public readonly ExcludeTried Exclude() => new(_members!, _count);
}
