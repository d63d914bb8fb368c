namespace ClusterRouting;

/// <summary>
/// Membership and mode changes, each inside a <see cref="ClusterChange"/>: every input is checked and the next
/// membership computed before anything changes, then it replaces the current one in one step.
/// </summary>
internal static class MembershipEditor
{
    /// <summary>Adds a member at the end of the failover order.</summary>
    /// <param name="change">The change.</param>
    /// <param name="member">The member; its id not empty (checked by the caller).</param>
    /// <param name="paramName">The caller's parameter that holds the id, for the error.</param>
    /// <exception cref="ArgumentException">A member already has the id (ignoring case), or the address is not an absolute http or https address.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The weight is outside <see cref="MemberWeights.Min"/> to <see cref="MemberWeights.Max"/>.</exception>
    /// <exception cref="ClusterCapacityExceededException">The cluster has <see cref="ClusterLimits.MaxMembers"/> or more members.</exception>
    public static void Add(ClusterChange change, ClusterMemberOptions member, string paramName)
    {
        ClusterSnapshot previous = change.Snapshot;
        SnapshotMember[] current = previous.Members;
        string id = member.Id;
        if (previous.IndexOf(id) >= 0)
        {
            throw new ArgumentException($"Cluster '{previous.ClusterName}' already has a member with id '{id}' (member ids are compared ignoring case).", paramName);
        }

        if (member.Address is Uri address && !ClusterOptionsValidation.IsHttpAddress(address))
        {
            throw new ArgumentException($"Cluster '{previous.ClusterName}': the address '{address.OriginalString}' of member '{id}' must be an absolute http or https address.", paramName);
        }

        if (!MemberWeights.IsValid(member.Weight))
        {
            throw new ArgumentOutOfRangeException(paramName, member.Weight, $"Cluster '{previous.ClusterName}': the Weight of member '{id}' must be from {MemberWeights.Min} to {MemberWeights.Max} (was {member.Weight}).");
        }

        if (current.Length >= ClusterLimits.MaxMembers)
        {
            throw new ClusterCapacityExceededException(previous.ClusterName, current.Length);
        }

        change.Events.Add(new MemberAddedEvent(id, current.Length));
        MemberState state = change.Cluster.Revive_NeedsLock(id);
        state.Address = member.Address;
        state.SlowStart.Begin_NeedsLock(change.Now, change.Settings.SlowStart);
        change.Reevaluate(state);
        var members = new SnapshotMember[current.Length + 1];
        Array.Copy(current, members, current.Length);
        members[current.Length] = new SnapshotMember(state, member.Version, member.Enabled, current.Length, member.Weight);
        Replace(change, previous.With(members));
    }

    /// <summary>Removes a member; the next one in order takes its place.</summary>
    /// <returns>Whether the cluster had a member with <paramref name="id"/>.</returns>
    public static bool Remove(ClusterChange change, string id)
    {
        ClusterSnapshot previous = change.Snapshot;
        int index = previous.IndexOf(id);
        if (index < 0)
        {
            return false;
        }

        SnapshotMember[] current = previous.Members;
        var members = new SnapshotMember[current.Length - 1];
        for (int i = 0, j = 0; i < current.Length; i++)
        {
            if (i != index)
            {
                members[j] = current[i].Current(j);
                j++;
            }
        }

        change.Events.Add(new MemberRemovedEvent(current[index].Id));
        change.Cluster.Retire_NeedsLock(current[index].State);
        Replace(change, previous.With(members));
        return true;
    }

    /// <summary>Enables or disables a member.</summary>
    /// <returns>Whether the cluster had a member with <paramref name="id"/>.</returns>
    public static bool SetEnabled(ClusterChange change, string id, bool enabled)
    {
        ClusterSnapshot previous = change.Snapshot;
        int index = previous.IndexOf(id);
        if (index < 0)
        {
            return false;
        }

        SnapshotMember member = previous.Members[index];
        if (member.Enabled != enabled)
        {
            if (enabled)
            {
                member.State.SlowStart.Begin_NeedsLock(change.Now, change.Settings.SlowStart);
            }

            var members = (SnapshotMember[])previous.Members.Clone();
            members[index] = member.WithEnabled(enabled);
            change.Replace(previous.With(members));
            change.Events.Add(new MemberEnabledChangedEvent(member.Id, enabled));
        }

        return true;
    }

    /// <summary>Records the version a member reports (a health probe), warning when the cluster's versions now differ.</summary>
    public static void SetVersion(ClusterChange change, MemberState state, string version)
    {
        ClusterSnapshot previous = change.Snapshot;
        int index = Array.FindIndex(previous.Members, m => ReferenceEquals(m.State, state));
        if (index < 0 || string.Equals(previous.Members[index].Version, version, StringComparison.Ordinal))
        {
            return;
        }

        var members = (SnapshotMember[])previous.Members.Clone();
        members[index] = previous.Members[index].WithVersion(version);
        Replace(change, previous.With(members));
    }

    public static void SetMode(ClusterChange change, SelectionMode mode)
    {
        ClusterSnapshot previous = change.Snapshot;
        if (previous.Mode != mode)
        {
            change.Replace(previous.With(mode));
            change.Events.Add(new ModeChangedEvent(mode));
        }
    }

    /// <summary>
    /// Applies validated options: members in their new order (those that stay, matched by id ignoring case, keep their
    /// state and their id as first spelled), mode and settings. Every member's verdict under the new settings is
    /// computed first; then settings, samples, verdicts, penalties and membership change together.
    /// </summary>
    /// <param name="change">The change.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="settings">The settings of <paramref name="options"/>.</param>
    /// <param name="initial">Whether this is the cluster's first membership (its construction): nothing is logged as added.</param>
    public static void Reconfigure(ClusterChange change, ClusterOptions options, ClusterSettings settings, bool initial = false)
    {
        ClusterSnapshot previous = change.Snapshot;
        bool newWindow = settings.Throttling.Window != change.Settings.Throttling.Window;
        var states = new MemberState[options.Members.Count];
        var verdicts = new MemberVerdict[states.Length];
        var comesBack = new bool[states.Length];
        for (int i = 0; i < states.Length; i++)
        {
            int existing = previous.IndexOf(options.Members[i].Id);
            comesBack[i] = !initial && options.Members[i].Enabled && (existing < 0 || !previous.Members[existing].Enabled);
            MemberState state = existing >= 0 ? previous.Members[existing].State : change.Cluster.Revive_NeedsLock(options.Members[i].Id);
            states[i] = state;
            verdicts[i] = settings.Throttling.Evaluate(state.Id, state.Throttle, ignoreSamples: newWindow, state.Slots.InFlight, change.Now, change.Events, change.Cluster.Failures);
        }

        change.Cluster.SetSettings_NeedsLock(settings, options.Clone());
        var members = new SnapshotMember[states.Length];
        for (int i = 0; i < states.Length; i++)
        {
            MemberState state = states[i];
            if (newWindow)
            {
                state.Throttle.ResetWindow_NeedsLock();
            }

            state.Throttle.Apply_NeedsLock(verdicts[i], state.Id, change.Events);
            if (!settings.Penalties.TrackOfflineMembers)
            {
                OfflinePenaltyTracker.Untrack_NeedsLock(state);
            }

            state.Address = options.Members[i].Address;
            if (comesBack[i])
            {
                state.SlowStart.Begin_NeedsLock(change.Now, settings.SlowStart);
            }

            members[i] = new SnapshotMember(state, options.Members[i].Version, options.Members[i].Enabled, i, options.Members[i].Weight);
        }

        var next = new ClusterSnapshot(previous.ClusterName, members, options.Mode, previous.Clock, previous: previous);
        if (!initial)
        {
            RecordDifferences(change, previous, next);
        }

        Replace(change, next);
    }

    /// <summary>Logs what a reconfiguration changed as the runtime calls would: members added, removed, enabled or disabled; the mode.</summary>
    private static void RecordDifferences(ClusterChange change, ClusterSnapshot previous, ClusterSnapshot next)
    {
        foreach (SnapshotMember member in previous.Members)
        {
            if (next.IndexOf(member.Id) < 0)
            {
                change.Events.Add(new MemberRemovedEvent(member.Id));
                change.Cluster.Retire_NeedsLock(member.State);
            }
        }

        foreach (SnapshotMember member in next.Members)
        {
            int before = previous.IndexOf(member.Id);
            if (before < 0)
            {
                change.Events.Add(new MemberAddedEvent(member.Id, member.Index));
            }
            else if (previous.Members[before].Enabled != member.Enabled)
            {
                change.Events.Add(new MemberEnabledChangedEvent(member.Id, member.Enabled));
            }
        }

        if (previous.Mode != next.Mode)
        {
            change.Events.Add(new ModeChangedEvent(next.Mode));
        }
    }

    /// <summary>Replaces the membership and queues the warnings its new shape calls for: too many members, version skew.</summary>
    private static void Replace(ClusterChange change, ClusterSnapshot next)
    {
        ClusterSnapshot previous = change.Snapshot;
        change.Replace(next);
        int count = next.Members.Length;
        if (count > ClusterLimits.MaxMembers && previous.Members.Length <= ClusterLimits.MaxMembers)
        {
            change.Events.Add(new MemberLimitExceededEvent(count));
        }

        if (next.Versions.Length > 1 && !SameVersions(previous.Versions, next.Versions))
        {
            change.Events.Add(new VersionSkewEvent(string.Join(", ", next.Versions)));
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
