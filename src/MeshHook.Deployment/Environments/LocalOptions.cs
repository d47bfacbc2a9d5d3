using MeshHook.Deployment.Environments.Reading;

namespace MeshHook.Deployment.Environments;

/// <summary>
/// <c>local</c> (a local target only): the ports on this machine.
/// <code>"local": { "edgePort": 8480, "portRange": [41000, 41999], "exposeBeyondLoopback": false }</code>
/// The edge listens on <see cref="EdgePort"/> (the port of <c>url</c>) and forwards to the current release; each release
/// listens on a port of <see cref="PortRange"/>, so the new one starts beside the old one before the switch.
/// <c>url</c> must name a loopback host unless <see cref="ExposeBeyondLoopback"/> is true: the edge listens on url's host,
/// so any other address exposes the environment beyond this machine.
/// </summary>
public sealed class LocalOptions
{
    public const int MinimumPort = 1024, MaximumPort = 65535;

    public int EdgePort { get; init; } = 8480;

    public PortRange PortRange { get; init; } = new(41000, 41999);

    /// <summary>An explicit opt-in to a url whose host is not a loopback address.</summary>
    public bool ExposeBeyondLoopback { get; init; }

    internal static LocalOptions? Read(JsonSection? section)
    {
        if (section is null)
            return null;
        var edgePort = section.Integer("edgePort", required: true, MinimumPort, MaximumPort);
        var range = PortRange.Read(section, "portRange", required: true, MinimumPort, MaximumPort);
        var expose = section.Boolean("exposeBeyondLoopback", required: false) ?? false;
        if (edgePort is { } edge && range is { } ports && ports.Contains(edge))
            section.Error("edgePort", $"{edge} is inside local.portRange {ports}; the edge port must be outside the releases' ports.");
        section.RejectUnknownKeys();
        return edgePort is null || range is null ? null : new LocalOptions { EdgePort = edgePort.Value, PortRange = range.Value, ExposeBeyondLoopback = expose };
    }
}
