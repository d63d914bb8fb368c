namespace ClusterRouting.Http;

/// <summary>
/// Remembers, for each member position, the last target composed for it, so that a run of requests to the same path
/// composes (and allocates) the target once per member. Entries are immutable and swapped whole, so readers need no lock.
/// </summary>
internal sealed class TargetUriCache
{
    // Members past this position (a cluster has up to 10) compose their target every time.
    private const int Positions = 16;

    private readonly Entry?[] _entries = new Entry?[Positions];

    /// <summary>The target for a request to the member at <paramref name="memberIndex"/>, reached at <paramref name="memberAddress"/>.</summary>
    public Uri Resolve(int memberIndex, Uri memberAddress, Uri requestUri)
    {
        if ((uint)memberIndex >= Positions)
        {
            return TargetUri.Compose(memberAddress, requestUri);
        }

        Entry? entry = Volatile.Read(ref _entries[memberIndex]);
        if (entry is not null && ReferenceEquals(entry.MemberAddress, memberAddress) && string.Equals(entry.Request, requestUri.OriginalString, StringComparison.Ordinal))
        {
            return entry.Target;
        }

        Uri target = TargetUri.Compose(memberAddress, requestUri);
        Volatile.Write(ref _entries[memberIndex], new Entry(memberAddress, requestUri.OriginalString, target));
        return target;
    }

    private sealed class Entry(Uri memberAddress, string request, Uri target)
    {
        public Uri MemberAddress { get; } = memberAddress;

        public string Request { get; } = request;

        public Uri Target { get; } = target;
    }
}
