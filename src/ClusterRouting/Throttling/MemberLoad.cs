namespace ClusterRouting;

/// <summary>What a <see cref="ThrottlePolicy"/> knows about one member when it evaluates it.</summary>
public readonly struct MemberLoad
{
    /// <summary>Initializes a new instance of the <see cref="MemberLoad"/> struct, for example to test a custom policy.</summary>
    /// <param name="memberId">The member's id.</param>
    /// <param name="cpuPercent">The average CPU utilization in the window, or <see langword="null"/> with no sample.</param>
    /// <param name="memoryPercent">The average memory utilization in the window, or <see langword="null"/> with no sample.</param>
    /// <param name="sampleCount">How many samples fall in the window.</param>
    /// <param name="window">The aggregation window.</param>
    /// <param name="nextSampleExpiry">How long until the oldest samples expire, or <see langword="null"/> with no sample.</param>
    /// <param name="inFlight">How many operations are in flight on the member.</param>
    public MemberLoad(string memberId, double? cpuPercent, double? memoryPercent, int sampleCount, TimeSpan window, TimeSpan? nextSampleExpiry, int inFlight)
    {
        MemberId = memberId;
        CpuPercent = cpuPercent;
        MemoryPercent = memoryPercent;
        SampleCount = sampleCount;
        Window = window;
        NextSampleExpiry = nextSampleExpiry;
        InFlight = inFlight;
    }

    /// <summary>Gets the member's id.</summary>
    public string MemberId { get; }

    /// <summary>
    /// Gets the average CPU utilization (0 to 100) of the samples in the aggregation window, or <see langword="null"/>
    /// when no sample falls in the window.
    /// </summary>
    public double? CpuPercent { get; }

    /// <summary>
    /// Gets the average memory utilization (0 to 100) of the samples in the aggregation window, or <see langword="null"/>
    /// when no sample falls in the window.
    /// </summary>
    public double? MemoryPercent { get; }

    /// <summary>Gets how many samples fall in the aggregation window.</summary>
    public int SampleCount { get; }

    /// <summary>Gets the aggregation window (ResourceUtilizationAggregationTimeInMinutes).</summary>
    public TimeSpan Window { get; }

    /// <summary>
    /// Gets how long until the oldest samples in the window expire, which is the earliest moment the averages can change
    /// without a new sample; <see langword="null"/> when the window is empty.
    /// </summary>
    public TimeSpan? NextSampleExpiry { get; }

    /// <summary>Gets how many operations are in flight on the member at the moment of evaluation.</summary>
    public int InFlight { get; }
}
