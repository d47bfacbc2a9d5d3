using System.Text.Json;
using MeshHook.Deployment.Environments;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>What one host has: its current release, staged releases, recorded processes (alive or not) and free ports.</summary>
public sealed record SshHostState(SshHost Host, string? Current, IReadOnlyList<string> Staged, IReadOnlyList<SshHostState.Process> Processes,
    IReadOnlyList<int> FreePorts)
{
    public sealed record Process(string Name, string? Release, int? Port, int Pid, DateTimeOffset StartedAt, string Log, bool Alive);

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Where release processes listen on a host: random free ports of this range, below Linux's ephemeral range
    /// (32768-60999 by default). A port the OS hands out for port 0 is an ephemeral one, which any outgoing connection on
    /// the host (to the database, a health poll, another deploy) may take between the probe and the release's start; then
    /// the release cannot bind and the deploy fails at its health check. The local target's default range, for the same reason.
    /// </summary>
    public static PortRange ReleasePorts { get; } = new(41000, 41999);

    /// <summary>
    /// Reads it in one round trip: a fixed node script (Node runs the releases there anyway) given the deploy path, the
    /// number of free loopback ports wanted and the range to take them from as arguments. Reads only; the ports are probed
    /// and closed again.
    /// </summary>
    public static RemoteCommand Command(string deployPath, int ports, PortRange range) => new("node", "-e", Script, deployPath,
        ports.ToString(System.Globalization.CultureInfo.InvariantCulture), range.First.ToString(System.Globalization.CultureInfo.InvariantCulture),
        range.Last.ToString(System.Globalization.CultureInfo.InvariantCulture));

    const string Script = """
        const fs = require('fs'), path = require('path'), net = require('net');
        const [root, count, first, last] = process.argv.slice(1).map((x, i) => (i === 0 ? x : Number(x)));
        const alive = (pid) => { try { process.kill(-pid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
        let current = null;
        try { const target = path.resolve(root, fs.readlinkSync(path.join(root, 'current'))); if (fs.existsSync(target)) current = path.basename(target); } catch {}
        let staged = [];
        try { staged = fs.readdirSync(path.join(root, 'releases')).filter((x) => !x.endsWith('.partial') && fs.existsSync(path.join(root, 'releases', x, 'release.json'))).sort(); } catch {}
        const processes = [];
        try {
          for (const file of fs.readdirSync(path.join(root, 'run')).filter((x) => x.endsWith('.json')).sort()) {
            try { const record = JSON.parse(fs.readFileSync(path.join(root, 'run', file), 'utf8')); record.alive = alive(record.pid); processes.push(record); } catch {}
          }
        } catch {}
        const servers = [], freePorts = [];
        let attempts = 0;
        const next = () => {
          if (freePorts.length >= count || attempts >= 200) { servers.forEach((x) => x.close()); console.log(JSON.stringify({ current, staged, processes, freePorts })); return; }
          attempts++;
          const port = first + Math.floor(Math.random() * (last - first + 1));
          if (freePorts.includes(port)) { next(); return; }
          const server = net.createServer();
          server.once('error', () => next());
          server.listen(port, '127.0.0.1', () => { freePorts.push(port); servers.push(server); next(); });
        };
        next();
        """;

    public static async Task<SshHostState> ReadAsync(SshHostConnection connection, string deployPath, int ports, PortRange range, CancellationToken cancellationToken)
    {
        var output = await connection.CheckAsync(Command(deployPath, ports, range), cancellationToken);
        var read = JsonSerializer.Deserialize<Read>(output, Json) ?? throw new Tooling.UserFacingException($"{connection.Host.Name} answered no state.");
        if ((read.FreePorts?.Count ?? 0) < ports)
            throw new Tooling.UserFacingException($"{connection.Host.Name} has fewer than {ports} free ports in {range.First}-{range.Last} on 127.0.0.1 " +
                                                  "for the new release's processes: stop what listens there (`ss -ltnp`) and deploy again.");
        return new SshHostState(connection.Host, read.Current, read.Staged ?? [], read.Processes ?? [], read.FreePorts ?? []);
    }

    sealed record Read(string? Current, IReadOnlyList<string>? Staged, IReadOnlyList<Process>? Processes, IReadOnlyList<int>? FreePorts);

    public Process? Running(string name) => Processes.FirstOrDefault(x => x.Name == name && x.Alive);

    /// <summary>The running web process of a release (what the edge forwards to), if any.</summary>
    public Process? Web(string release) => Processes.FirstOrDefault(x => x.Release == release && x.Alive && x.Name.StartsWith("web-", StringComparison.Ordinal));
}
