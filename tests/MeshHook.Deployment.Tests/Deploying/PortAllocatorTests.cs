using System.Net;
using System.Net.Sockets;
using MeshHook.Deployment.Targets.Local;
using MeshHook.Tooling;

namespace MeshHook.Deployment.Tests.Deploying;

public sealed class PortAllocatorTests
{
    [Fact]
    public void Ports_come_from_the_range_and_skip_ports_in_use_or_already_handed_out()
    {
        // A real listener marks its port busy; the other ports of the range count as free, whatever else this machine
        // runs (neighbours of an ephemeral port may be in use by other programs at any moment).
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var occupied = ((IPEndPoint)busy.LocalEndpoint).Port;
        var first = occupied - 2;
        var allocator = new PortAllocator([first], (first, occupied + 2), isFree: port => port != occupied || IsFreeNow(port));

        var ports = Enumerable.Range(0, 3).Select(_ => allocator.Next()).ToList();

        Assert.All(ports, x => Assert.InRange(x, first + 1, occupied + 2));
        Assert.DoesNotContain(occupied, ports);
        Assert.Equal(3, ports.Distinct().Count());
        var error = Assert.Throws<UserFacingException>(() => allocator.Next());
        Assert.Contains("No free port in local.portRange", error.Message);
    }

    [Fact]
    public void Every_free_port_of_the_range_is_found_whatever_the_random_start()
    {
        // Ports 100..109, of which only 107 and 109 are free and 101 is recorded as in use: random probing with a few
        // attempts missed such ports on a busy machine; the scan must find both, from any starting point.
        for (var seed = 0; seed < 50; seed++)
        {
            var allocator = new PortAllocator([101], (100, 109), isFree: port => port is 107 or 109 or 101, random: new Random(seed));

            Assert.Equal([107, 109], new[] { allocator.Next(), allocator.Next() }.Order());
            Assert.Throws<UserFacingException>(() => allocator.Next());
        }
    }

    [Fact]
    public void Without_a_range_the_system_picks_free_ports()
    {
        var allocator = new PortAllocator([]);

        Assert.NotEqual(allocator.Next(), allocator.Next());
    }

    static bool IsFreeNow(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
