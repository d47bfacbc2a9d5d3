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
        using var busy = new TcpListener(IPAddress.Loopback, 0);
        busy.Start();
        var occupied = ((IPEndPoint)busy.LocalEndpoint).Port;
        var first = occupied - 2;
        var allocator = new PortAllocator([first], (first, occupied + 2));

        var ports = Enumerable.Range(0, 3).Select(_ => allocator.Next()).ToList();

        Assert.All(ports, x => Assert.InRange(x, first + 1, occupied + 2));
        Assert.DoesNotContain(occupied, ports);
        Assert.Equal(3, ports.Distinct().Count());
        var error = Assert.Throws<UserFacingException>(() => allocator.Next());
        Assert.Contains("No free port in local.portRange", error.Message);
    }

    [Fact]
    public void Without_a_range_the_system_picks_free_ports()
    {
        var allocator = new PortAllocator([]);

        Assert.NotEqual(allocator.Next(), allocator.Next());
    }
}
