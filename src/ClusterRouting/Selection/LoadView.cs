namespace ClusterRouting;

/// <summary>
/// A thread's view of the stripes other than its own of one <see cref="LoadScan"/>'s board: the sum, per column, of
/// the other rows, read again every <see cref="Refresh"/> selections, whenever the board's
/// epoch (<see cref="SlotBoard.EpochOffset"/>) moved, or for another plan. A <see cref="SelectionMode.LeastLoaded"/> selection adds
/// its own row, read every time, so that the rows other threads write on every selection are not read (a cache miss
/// each) on every selection: that is what lets several threads select at once and go faster than one.
/// </summary>
/// <remarks>
/// In one thread's sequence of selections the view is exact: its own row is read each time, and the other rows change
/// only when a slot is borrowed from another stripe or a column is taken again, which move the epoch on. Other threads'
/// selections show up within <see cref="Refresh"/> of this thread's selections.
/// </remarks>
internal sealed class LoadView
{
    /// <summary>How many selections a view serves before the other rows are read again.</summary>
    public const int Refresh = 16;

    /// <summary>Gets or sets the plan the view was read for.</summary>
    public LoadScan? Scan { get; set; }

    /// <summary>Gets or sets the board's epoch when the view was read.</summary>
    public int Epoch { get; set; }

    /// <summary>Gets or sets how many more selections the view serves.</summary>
    public int Budget { get; set; }

    /// <summary>Gets the sum of the other rows, per column.</summary>
    public int[] Others { get; } = new int[SlotBoard.Columns];
}
