using System.Collections.Concurrent;
using MeshHook.Deployment.Environments;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>
/// One connection per host for a whole run, made on first use (in parallel when several hosts are needed at once) and
/// made again when a host dropped it. The private key is held in memory only.
/// </summary>
public sealed class SshConnections(IReadOnlyDictionary<SshHost, IReadOnlyList<string>> pins, Func<string> privateKey, TimeSpan connectTimeout)
    : IAsyncDisposable
{
    readonly ConcurrentDictionary<SshHost, SemaphoreSlim> _gates = new();
    readonly ConcurrentDictionary<SshHost, SshHostConnection> _open = new();

    public async Task<SshHostConnection> ToAsync(SshHost host, CancellationToken cancellationToken)
    {
        var gate = _gates.GetOrAdd(host, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (_open.TryGetValue(host, out var existing))
            {
                if (existing.IsConnected)
                    return existing;
                await existing.DisposeAsync();
                _open.TryRemove(host, out _);
            }
            var connection = await SshHostConnection.ConnectAsync(host, pins.GetValueOrDefault(host) ?? [], privateKey(), connectTimeout, cancellationToken);
            _open[host] = connection;
            return connection;
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _open.Values)
            await connection.DisposeAsync();
        _open.Clear();
    }
}
