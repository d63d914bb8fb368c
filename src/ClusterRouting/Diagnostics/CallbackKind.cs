namespace ClusterRouting;

/// <summary>The kinds of user code a cluster calls, which <see cref="CallbackFailures"/> counts when they throw.</summary>
internal enum CallbackKind
{
    /// <summary>A <see cref="ThrottlePolicy"/>: <c>Evaluate</c>, <c>Name</c> or <c>Kind</c>.</summary>
    ThrottlePolicy = 0,

    /// <summary>A logger or logger provider.</summary>
    Logger = 1,

    /// <summary>A <see cref="System.Diagnostics.Metrics.MeterListener"/> measurement callback.</summary>
    MeterListener = 2,

    /// <summary><see cref="ClusterOptions.IsOfflineException"/>.</summary>
    OfflinePredicate = 3,

    /// <summary>The <see cref="TimeProvider"/>'s timer (the cluster's own or a hedged run's), or anything else on the deadline timer's thread.</summary>
    Timer = 4,
}
