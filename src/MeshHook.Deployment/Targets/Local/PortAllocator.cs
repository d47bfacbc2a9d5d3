using System.Net;
using System.Net.Sockets;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>
/// Free loopback ports for release processes, from the environment's port range (local.portRange), never one already
/// handed out or recorded for a running process. Without a range, the operating system picks (bind to port 0).
/// </summary>
public sealed class PortAllocator
{
    readonly HashSet<int> _taken = [];
    readonly (int First, int Last)? _range;
    readonly Random _random;
    readonly Func<int, bool> _isFree;

    public PortAllocator(IEnumerable<int> inUse, (int First, int Last)? range = null, Func<int, bool>? isFree = null, Random? random = null)
    {
        foreach (var port in inUse)
            _taken.Add(port);
        _range = range;
        _isFree = isFree ?? IsFree;
        _random = random ?? new Random();
    }

    public int Next()
    {
        if (_range is not { } range)
            return FromSystem();
        // A random starting point spreads releases over the range, so a port just released by a stopped release is rarely
        // reused at once; the scan then visits every port once, so a free port is always found when there is one.
        var count = range.Last - range.First + 1;
        var start = _random.Next(count);
        for (var offset = 0; offset < count; offset++)
        {
            var port = range.First + (start + offset) % count;
            if (!_taken.Contains(port) && _isFree(port))
            {
                _taken.Add(port);
                return port;
            }
        }
        throw new Tooling.UserFacingException(
            $"No free port in local.portRange [{range.First}, {range.Last}]: widen the range in environment.json or stop what uses it.");
    }

    int FromSystem()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (_taken.Add(port))
                return port;
        }
        throw new InvalidOperationException("No free loopback port was found after 50 attempts.");
    }

    static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
