namespace ClusterRouting;

/// <summary>
/// The slow-start settings of a cluster: the window a member that comes back ramps up over, and the share it starts
/// from. Immutable: one per applied configuration. Fractions are kept in thousandths so that caps and shares are exact
/// integers: at <c>k</c> steps of <see cref="SlowStartDefaults.Steps"/> into the window, a member has
/// <c>max(minimum, k / Steps)</c> of its share and of its concurrency limit (rounded up, at least 1).
/// </summary>
internal sealed class SlowStartSchedule
{
    /// <summary>A whole share, in thousandths.</summary>
    public const int Full = 1000;

    private SlowStartSchedule(TimeSpan window, int minimum)
    {
        Window = window;
        Minimum = minimum;
    }

    /// <summary>Gets how long a ramp lasts; <see cref="TimeSpan.Zero"/> when slow start is off.</summary>
    public TimeSpan Window { get; }

    /// <summary>Gets the share a ramp starts from, in thousandths.</summary>
    public int Minimum { get; }

    public bool IsOn => Window > TimeSpan.Zero;

    /// <summary>Gets when, from its start, a ramp ends: the last of its steps (the window, less its remainder in 20ths of a tick).</summary>
    public TimeSpan End => StepStart(SlowStartDefaults.Steps);

    public static SlowStartSchedule From(ClusterOptions options) =>
        new(options.SlowStartWindow, (int)Math.Round(options.SlowStartMinimumPercentage * 10));

    /// <summary>The share, in thousandths, of a member <paramref name="elapsed"/> into its ramp; <see cref="Full"/> once the window is over.</summary>
    public int ShareAt(TimeSpan elapsed)
    {
        // StepAt stops at the last step, where this is Full.
        return (int)Math.Max(Minimum, StepAt(elapsed) * Full / SlowStartDefaults.Steps);
    }

    /// <summary>When, from the ramp's start, the share next changes after <paramref name="elapsed"/>; <see langword="null"/> once it is whole.</summary>
    public TimeSpan? NextChange(TimeSpan elapsed)
    {
        int share = ShareAt(elapsed);
        if (share >= Full)
        {
            return null;
        }

        // The first step whose share is above the present one: past the minimum, every step raises it.
        long step = Math.Max(StepAt(elapsed) + 1, ((long)Minimum * SlowStartDefaults.Steps / Full) + 1);
        return StepStart(step);
    }

    /// <summary>A concurrency limit scaled to <paramref name="share"/> thousandths: rounded up, at least 1; no limit stays none.</summary>
    public static int Cap(int limit, int share) =>
        limit == int.MaxValue || share >= Full ? limit : (int)Math.Max(1, (((long)limit * share) + Full - 1) / Full);

    private long StepAt(TimeSpan elapsed) =>
        Math.Min(SlowStartDefaults.Steps, Math.Max(0, elapsed.Ticks) / Math.Max(1, Window.Ticks / SlowStartDefaults.Steps));

    private TimeSpan StepStart(long step) => TimeSpan.FromTicks(Math.Max(1, Window.Ticks / SlowStartDefaults.Steps) * Math.Min(step, SlowStartDefaults.Steps));
}
