using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterRouting;

/// <summary>
/// A cluster of members and the selector that routes operations to them. Selections are lock-free and allocate
/// nothing; membership changes take a lock, build a new immutable snapshot and publish it atomically, so they can run
/// while other threads select.
/// </summary>
/// <example>
/// <code>
/// var cluster = new ClusterSelector("refresh", new ClusterOptions
/// {
///     Members = { new("gw-1"), new("gw-2"), new("gw-3") },
///     Mode = SelectionMode.Failover,
/// });
/// using MemberLease lease = cluster.Select();
/// Send(lease.MemberId);
/// </code>
/// </example>
public sealed class ClusterSelector : IClusterSelector
{
    private readonly Lock _gate = new();
    private readonly RandomSource _random;
    private readonly ILogger _logger;
    private ClusterSnapshot _snapshot;

    // Increment returns the new value and the first selection should start the rotation at the primary.
    private int _roundRobinCursor = -1;

    /// <summary>Initializes a new instance of the <see cref="ClusterSelector"/> class.</summary>
    /// <param name="clusterName">The cluster's name, used in errors, logs and metrics.</param>
    /// <param name="options">The members in failover order and the selection mode. The selector copies them: later changes to this object have no effect.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="randomSource">The randomness for <see cref="SelectionMode.Random"/>; <see cref="RandomSource.Shared"/> when <see langword="null"/>.</param>
    /// <param name="logger">Where warnings (version skew, more than 10 members) and membership changes are logged.</param>
    /// <exception cref="ArgumentNullException"><paramref name="clusterName"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="clusterName"/> is empty or whitespace, or <paramref name="options"/> is invalid; the message lists every problem.</exception>
    public ClusterSelector(
        string clusterName,
        ClusterOptions options,
        TimeProvider? timeProvider = null,
        RandomSource? randomSource = null,
        ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clusterName);
        ArgumentNullException.ThrowIfNull(options);
        ClusterOptionsValidation.ThrowIfInvalid(clusterName, options, nameof(options));

        ClusterName = clusterName;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _random = randomSource ?? RandomSource.Shared;
        _logger = logger ?? NullLogger.Instance;
        _snapshot = BuildSnapshot(options, previous: null);
        LogShapeChange(previous: null, _snapshot);
    }

    /// <inheritdoc />
    public string ClusterName { get; }

    /// <summary>Gets the clock the cluster uses.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>
    /// Gets or sets how the cluster chooses among its eligible members. Setting it takes effect for the next selection
    /// (the gateway's "Distribute requests across all active gateways in this cluster" switch).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="SelectionMode"/>.</exception>
    public SelectionMode Mode
    {
        get => Volatile.Read(ref _snapshot).Mode;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The mode must be Failover, Random or RoundRobin.");
            }

            lock (_gate)
            {
                ClusterSnapshot current = _snapshot;
                if (current.Mode == value)
                {
                    return;
                }

                Publish_NeedsLock(new ClusterSnapshot(ClusterName, current.Members, value, current.ConcurrencyLimit));
            }

            Log.ModeChanged(_logger, ClusterName, value);
        }
    }

    /// <summary>Gets how many members the cluster has, enabled or not.</summary>
    public int MemberCount => Volatile.Read(ref _snapshot).Members.Length;

    internal ClusterSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <inheritdoc />
    public bool TrySelect(out MemberLease lease, out SelectionFailure failure)
    {
        ClusterSnapshot snapshot = Volatile.Read(ref _snapshot);
        int chosen = snapshot.Mode switch
        {
            SelectionMode.Failover => FailoverSelection.Select(snapshot),
            SelectionMode.Random => RandomSelection.Select(snapshot, _random),
            _ => RoundRobinSelection.Select(snapshot, ref _roundRobinCursor),
        };

        if (chosen >= 0)
        {
            lease = new MemberLease(snapshot.Eligible[chosen], snapshot.EligibleIndex[chosen]);
            failure = default;
            return true;
        }

        lease = default;
        failure = new SelectionFailure(snapshot);
        return false;
    }

    /// <summary>Selects a member for one operation without throwing or allocating, when the reasons for a failure are not needed.</summary>
    /// <param name="lease">On success, the lease on the chosen member: dispose it when the operation ends.</param>
    /// <returns><see langword="true"/> when a member was selected.</returns>
    public bool TrySelect(out MemberLease lease) => TrySelect(out lease, out _);

    /// <inheritdoc />
    public MemberLease Select()
    {
        if (TrySelect(out MemberLease lease, out SelectionFailure failure))
        {
            return lease;
        }

        throw failure.ToException();
    }

    /// <inheritdoc />
    public ClusterStatus GetStatus() => new(Volatile.Read(ref _snapshot), TimeProvider.GetUtcNow());

    /// <summary>Adds a member at the end of the failover order.</summary>
    /// <param name="id">The member's id: non-empty and unique in the cluster, ignoring case.</param>
    /// <param name="version">The version the member runs, when known.</param>
    /// <param name="enabled">Whether the member may be selected.</param>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty, whitespace, or already used by a member of the cluster.</exception>
    /// <exception cref="ClusterCapacityExceededException">The cluster already has <see cref="ClusterLimits.MaxMembers"/> (10) or more members.</exception>
    public void AddMember(string id, string? version = null, bool enabled = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ClusterSnapshot previous;
        ClusterSnapshot next;
        lock (_gate)
        {
            previous = _snapshot;
            SnapshotMember[] current = previous.Members;
            if (previous.IndexOf(id) >= 0)
            {
                throw new ArgumentException($"Cluster '{ClusterName}' already has a member with id '{id}' (member ids are compared ignoring case).", nameof(id));
            }

            if (current.Length >= ClusterLimits.MaxMembers)
            {
                throw new ClusterCapacityExceededException(ClusterName, current.Length);
            }

            var members = new SnapshotMember[current.Length + 1];
            Array.Copy(current, members, current.Length);
            members[current.Length] = new SnapshotMember(new MemberState(id), version, enabled, current.Length);
            next = new ClusterSnapshot(ClusterName, members, previous.Mode, previous.ConcurrencyLimit);
            Publish_NeedsLock(next);
        }

        Log.MemberAdded(_logger, ClusterName, id, next.Members.Length - 1);
        LogShapeChange(previous, next);
    }

    /// <summary>
    /// Removes a member. Selections that already read the old membership may still choose it; leases on it end cleanly.
    /// When the primary is removed, the next member becomes the primary.
    /// </summary>
    /// <param name="id">The member's id, compared ignoring case.</param>
    /// <returns><see langword="true"/> when the member was found and removed; <see langword="false"/> when the cluster has no member with that id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or whitespace.</exception>
    public bool RemoveMember(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ClusterSnapshot previous;
        ClusterSnapshot next;
        string removedId;
        lock (_gate)
        {
            previous = _snapshot;
            int index = previous.IndexOf(id);
            if (index < 0)
            {
                return false;
            }

            SnapshotMember[] current = previous.Members;
            removedId = current[index].Id;
            var members = new SnapshotMember[current.Length - 1];
            for (int i = 0, j = 0; i < current.Length; i++)
            {
                if (i != index)
                {
                    SnapshotMember kept = current[i];
                    members[j] = j == kept.Index ? kept : new SnapshotMember(kept.State, kept.Version, kept.Enabled, j);
                    j++;
                }
            }

            next = new ClusterSnapshot(ClusterName, members, previous.Mode, previous.ConcurrencyLimit);
            Publish_NeedsLock(next);
        }

        Log.MemberRemoved(_logger, ClusterName, removedId);
        LogShapeChange(previous, next);
        return true;
    }

    /// <summary>Enables or disables a member. A disabled member is never selected; enabling it makes it eligible for the next selection.</summary>
    /// <param name="id">The member's id, compared ignoring case.</param>
    /// <param name="enabled"><see langword="true"/> to enable the member, <see langword="false"/> to disable it.</param>
    /// <returns><see langword="true"/> when the member was found; <see langword="false"/> when the cluster has no member with that id.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="id"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty or whitespace.</exception>
    public bool SetMemberEnabled(string id, bool enabled)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        string memberId;
        lock (_gate)
        {
            ClusterSnapshot previous = _snapshot;
            int index = previous.IndexOf(id);
            if (index < 0)
            {
                return false;
            }

            SnapshotMember member = previous.Members[index];
            memberId = member.Id;
            if (member.Enabled == enabled)
            {
                return true;
            }

            var members = (SnapshotMember[])previous.Members.Clone();
            members[index] = new SnapshotMember(member.State, member.Version, enabled, index);
            Publish_NeedsLock(new ClusterSnapshot(ClusterName, members, previous.Mode, previous.ConcurrencyLimit));
        }

        Log.MemberEnabledChanged(_logger, ClusterName, memberId, enabled ? "enabled" : "disabled");
        return true;
    }

    /// <summary>
    /// Replaces the cluster's settings at once: members (added, removed, reordered, enabled, disabled, new versions)
    /// and mode. Members that stay, matched by id ignoring case, keep their state, their leases and their id as first
    /// spelled. On invalid
    /// settings nothing changes.
    /// </summary>
    /// <param name="options">The new settings. The selector copies them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> is invalid; the message lists every problem and nothing was changed.</exception>
    public void Reconfigure(ClusterOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ClusterOptionsValidation.ThrowIfInvalid(ClusterName, options, nameof(options));
        ClusterSnapshot previous;
        ClusterSnapshot next;
        lock (_gate)
        {
            previous = _snapshot;
            next = BuildSnapshot(options, previous);
            Publish_NeedsLock(next);
        }

        LogShapeChange(previous, next);
    }

    private ClusterSnapshot BuildSnapshot(ClusterOptions options, ClusterSnapshot? previous)
    {
        var members = new SnapshotMember[options.Members.Count];
        for (int i = 0; i < members.Length; i++)
        {
            ClusterMemberOptions member = options.Members[i];
            int existing = previous?.IndexOf(member.Id) ?? -1;
            MemberState state = existing >= 0 ? previous!.Members[existing].State : new MemberState(member.Id);
            members[i] = new SnapshotMember(state, member.Version, member.Enabled, i);
        }

        return new ClusterSnapshot(ClusterName, members, options.Mode, int.MaxValue);
    }

    private void Publish_NeedsLock(ClusterSnapshot next) => Volatile.Write(ref _snapshot, next);

    private void LogShapeChange(ClusterSnapshot? previous, ClusterSnapshot next)
    {
        int count = next.Members.Length;
        if (count > ClusterLimits.MaxMembers && (previous is null || previous.Members.Length <= ClusterLimits.MaxMembers))
        {
            Log.MemberLimitExceeded(_logger, ClusterName, count, ClusterLimits.MaxMembers);
        }

        if (next.Versions.Length > 1 && (previous is null || !SameVersions(previous.Versions, next.Versions)))
        {
            Log.VersionSkew(_logger, ClusterName, string.Join(", ", next.Versions));
        }
    }

    private static bool SameVersions(string[] left, string[] right)
    {
        if (left.Length != right.Length)
        {
            return false;
        }

        foreach (string version in left)
        {
            if (!right.Contains(version, StringComparer.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
