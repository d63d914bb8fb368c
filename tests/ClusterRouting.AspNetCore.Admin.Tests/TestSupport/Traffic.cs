using System.Collections.Concurrent;

namespace ClusterRouting.Admin.Tests;

/// <summary>
/// Work routed through a cluster to real member servers, as a router sends it: <c>ExecuteAsync</c> on a few loops,
/// each operation an HTTP call to the chosen member that holds its lease a little while. Counts where each operation
/// was served. Bounded: it stops when disposed, and each loop pauses between operations.
/// </summary>
public sealed class Traffic : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _loops;
    private readonly ConcurrentDictionary<string, int> _served = new(StringComparer.OrdinalIgnoreCase);

    public Traffic(IClusterSelector cluster, IReadOnlyDictionary<string, Uri> addresses, int loops = 3)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        _loops = Enumerable.Range(0, loops).Select(_ => Task.Run(() => RunAsync(cluster, addresses, http))).ToArray();
    }

    public int ServedBy(string memberId) => _served.TryGetValue(memberId, out int count) ? count : 0;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private async Task RunAsync(IClusterSelector cluster, IReadOnlyDictionary<string, Uri> addresses, HttpClient http)
    {
        CancellationToken stop = _stop.Token;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                string servedBy = await cluster.ExecuteAsync(
                    async (lease, ct) =>
                    {
                        await http.GetStringAsync(new Uri(addresses[lease.MemberId], "work"), ct);
                        await Task.Delay(150, ct); // the operation runs a while: its lease shows in flight
                        return lease.MemberId;
                    },
                    stop);
                _served.AddOrUpdate(servedBy, 1, static (_, n) => n + 1);
                await Task.Delay(15, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is ClusterRoutingException or TaskCanceledException)
            {
                // No member could take it, all that were tried failed, or a call timed out: the next operation tries again.
                await Task.Delay(15, CancellationToken.None);
            }
        }
    }
}
