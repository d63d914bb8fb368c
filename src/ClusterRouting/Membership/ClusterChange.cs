namespace ClusterRouting;

/// <summary>
/// The unit of work of every cold-path operation: <see cref="ClusterState.Begin"/> takes the cluster's lock; the
/// operation changes member state and says what selections must see (<see cref="Republish"/>, <see cref="Replace"/>);
/// disposing the change commits (brings every member up to date at <see cref="Now"/>, publishes the new snapshot, arms
/// the deadline timer), releases the lock and then writes the events the change queued.
/// </summary>
/// <remarks>
/// <para>
/// Operations check their input before they change anything, so a change that throws has changed nothing: its
/// dispose publishes nothing the operation did not mark, and still releases the lock.
/// </para>
/// <para>
/// Changes of one cluster run one at a time under its lock and never nest (a change is refused on a thread that is
/// already inside one), so each cluster reuses one instance: a report that changes nothing allocates nothing. It is a
/// class rather than a struct because a <c>using</c> variable is read-only and a struct's marks would land on a copy.
/// </para>
/// </remarks>
internal sealed class ClusterChange : IDisposable
{
    private readonly ClusterState _cluster;
    private List<ClusterEvent> _events = new();
    private ClusterSnapshot? _replacement;
    private bool _republish;
    private bool _inert;
    private bool _open;

    public ClusterChange(ClusterState cluster)
    {
        _cluster = cluster;
    }

    /// <summary>Gets the cluster's clock when the change began: the moment every change of this unit happens at.</summary>
    public TimeSpan Now { get; private set; }

    /// <summary>Gets the events to write once the lock is released, in order.</summary>
    public List<ClusterEvent> Events => _events;

    /// <summary>Gets the cluster being changed.</summary>
    public ClusterState Cluster => _cluster;

    /// <summary>Gets the membership as this change left it so far.</summary>
    public ClusterSnapshot Snapshot => _replacement ?? _cluster.Snapshot;

    /// <summary>Gets the settings in force.</summary>
    public ClusterSettings Settings => _cluster.Settings;

    /// <summary>The member with <paramref name="memberId"/> (ignoring case), or <see langword="null"/>.</summary>
    public MemberState? Find(string memberId) => Snapshot.Find(memberId);

    /// <summary>A member's verdict or health changed in a way selections must see.</summary>
    public void Republish() => _republish = true;

    /// <summary>The membership or the mode changed: selections must see <paramref name="next"/>.</summary>
    public void Replace(ClusterSnapshot next) => _replacement = next;

    /// <summary>Evaluates <paramref name="member"/>'s throttle policies now and keeps the verdict; republishes when it routes differently.</summary>
    public void Reevaluate(MemberState member)
    {
        if (_cluster.Reevaluate_NeedsLock(member, Now, _events))
        {
            _republish = true;
        }
    }

    /// <summary>Commits the change, releases the lock, then writes the events.</summary>
    public void Dispose()
    {
        if (!_open)
        {
            return;
        }

        List<ClusterEvent>? written = null;
        try
        {
            if (!_inert)
            {
                _cluster.Commit_NeedsLock(_replacement, _republish, Now, _events);
            }
        }
        finally
        {
            // The events leave with this change; the next change (on any thread, once the lock is released) gets a new list.
            if (_events.Count > 0)
            {
                written = _events;
                _events = new List<ClusterEvent>();
            }

            _replacement = null;
            _open = false;
            _cluster.Gate.Exit();
        }

        _cluster.Events.Write(written);
    }

    /// <summary>Takes the lock and starts the change. Called by <see cref="ClusterState"/>.</summary>
    /// <param name="throwIfDisposed">
    /// Whether a disposed cluster throws <see cref="ObjectDisposedException"/>; otherwise the change does nothing
    /// (for the timer and the catch-up of a failing selection, which may race with <see cref="ClusterState.Dispose"/>).
    /// </param>
    /// <exception cref="InvalidOperationException">
    /// The calling thread is already inside a change of this cluster: user code the cluster calls under its lock (a
    /// throttle policy) tried to change the cluster.
    /// </exception>
    internal ClusterChange Start(bool throwIfDisposed)
    {
        Lock gate = _cluster.Gate;
        if (gate.IsHeldByCurrentThread)
        {
            throw new InvalidOperationException($"Cluster '{_cluster.ClusterName}' is being changed on this thread: code the cluster calls while it changes (a throttle policy) may not change it.");
        }

        gate.Enter();
        try
        {
            _inert = false;
            _republish = false;
            if (_cluster.IsDisposed_NeedsLock)
            {
                if (throwIfDisposed)
                {
                    throw ClusterSnapshot.DisposedError(_cluster.ClusterName);
                }

                _inert = true;
            }

            Now = _cluster.Clock.Now;
        }
        catch
        {
            gate.Exit();
            throw;
        }

        _open = true;
        return this;
    }
}
