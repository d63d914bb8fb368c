namespace ClusterRouting.Http.Tests.TestSupport;

/// <summary>Where a fake member, stream or content waits until the test opens it: what awaits it cannot complete at once.</summary>
internal sealed class Gate
{
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsOpen => _open.Task.IsCompleted;

    public void Open() => _open.TrySetResult();

    /// <summary>Waits for the gate without capturing the caller's context: only the code under test may capture it.</summary>
    public async Task PassAsync(CancellationToken cancellationToken = default) => await _open.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
}
