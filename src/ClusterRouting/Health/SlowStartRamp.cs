namespace ClusterRouting;

/// <summary>
/// One member's slow start: when its ramp began, the share it has now, and when that share next changes. Written under
/// the cluster's lock by the change that starts or advances the ramp; selections read the share only through the
/// snapshot built from it, so a successful selection reads no clock.
/// </summary>
internal sealed class SlowStartRamp
{
    /// <summary>Gets when, on the cluster's clock, the ramp began; <see langword="null"/> when the member is not ramping.</summary>
    public TimeSpan? StartedAt { get; private set; }

    /// <summary>Gets the member's share of its weight and concurrency limit, in thousandths (<see cref="SlowStartSchedule.Full"/> when not ramping).</summary>
    public int Share { get; private set; } = SlowStartSchedule.Full;

    /// <summary>Gets when, on the cluster's clock, the share next rises; <see langword="null"/> when the member is not ramping.</summary>
    public TimeSpan? Deadline { get; private set; }

    /// <summary>Gets when, on the cluster's clock, the ramp ends at the window in force; <see langword="null"/> when the member is not ramping.</summary>
    public TimeSpan? EndsAt { get; private set; }

    /// <summary>The member came back: it ramps from the minimum, from <paramref name="now"/>, if slow start is on.</summary>
    /// <remarks>The change that calls this commits through <see cref="ClusterState.Commit_NeedsLock"/>, which republishes the snapshot when the share moved.</remarks>
    public void Begin_NeedsLock(TimeSpan now, SlowStartSchedule schedule)
    {
        if (schedule.IsOn)
        {
            StartedAt = now;

            // Stryker disable once Statement : Commit_NeedsLock advances every member's ramp at the same moment before it publishes, which makes this same update
            Update(now, schedule);
        }
    }

    /// <summary>Time passed (or the settings changed): the share rises to what the ramp gives at <paramref name="now"/>, and a ramp that is over ends.</summary>
    /// <returns>Whether the share changed.</returns>
    public bool Advance_NeedsLock(TimeSpan now, SlowStartSchedule schedule)
    {
        if (StartedAt is null)
        {
            return false;
        }

        int before = Share;
        Update(now, schedule);
        return Share != before;
    }

    private void Update(TimeSpan now, SlowStartSchedule schedule)
    {
        TimeSpan elapsed = now - StartedAt!.Value;
        int share = schedule.IsOn ? schedule.ShareAt(elapsed) : SlowStartSchedule.Full;
        if (share >= SlowStartSchedule.Full)
        {
            StartedAt = null;
            Share = SlowStartSchedule.Full;
            Deadline = null;
            EndsAt = null;
            return;
        }

        Share = share;
        Deadline = TimeMath.Add(StartedAt.Value, schedule.NextChange(elapsed)!.Value);
        EndsAt = TimeMath.Add(StartedAt.Value, schedule.End);
    }
}
