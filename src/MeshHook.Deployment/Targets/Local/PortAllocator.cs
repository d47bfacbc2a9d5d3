using System.Net;
using System.Net.Sockets;

namespace MeshHook.Deployment.Targets.Local;

/// <summary>Free loopback ports, asked of the operating system (bind to port 0), never one already handed out.</summary>
public sealed class PortAllocator
{
    readonly HashSet<int> _taken = [];

    public PortAllocator(IEnumerable<int> inUse)
    {
        foreach (var port in inUse)
            _taken.Add(port);
    }

    public int Next()
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

    public static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            var connect = client.ConnectAsync(IPAddress.Loopback, port);
            return connect.Wait(TimeSpan.FromMilliseconds(500)) && client.Connected;
        }
        catch (AggregateException)
        {
            return false;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
