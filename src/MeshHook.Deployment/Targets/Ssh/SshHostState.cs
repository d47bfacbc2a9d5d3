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
    /// Reads it in one round trip: a fixed node script (Node runs the releases there anyway) given the deploy path and the
    /// number of free loopback ports wanted as arguments. Reads only; the ports are probed and closed again.
    /// </summary>
    public static RemoteCommand Command(string deployPath, int ports) => new("node", "-e", Script, deployPath, ports.ToString(System.Globalization.CultureInfo.InvariantCulture));

    const string Script = """
        const fs = require('fs'), path = require('path'), net = require('net');
        const [root, count] = process.argv.slice(1);
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
        const next = () => {
          if (freePorts.length >= Number(count)) { servers.forEach((x) => x.close()); console.log(JSON.stringify({ current, staged, processes, freePorts })); return; }
          const server = net.createServer();
          server.listen(0, '127.0.0.1', () => { freePorts.push(server.address().port); servers.push(server); next(); });
        };
        next();
        """;

    public static async Task<SshHostState> ReadAsync(SshHostConnection connection, string deployPath, int ports, CancellationToken cancellationToken)
    {
        var output = await connection.CheckAsync(Command(deployPath, ports), cancellationToken);
        var read = JsonSerializer.Deserialize<Read>(output, Json) ?? throw new Tooling.UserFacingException($"{connection.Host.Name} answered no state.");
        return new SshHostState(connection.Host, read.Current, read.Staged ?? [], read.Processes ?? [], read.FreePorts ?? []);
    }

    sealed record Read(string? Current, IReadOnlyList<string>? Staged, IReadOnlyList<Process>? Processes, IReadOnlyList<int>? FreePorts);

    public Process? Running(string name) => Processes.FirstOrDefault(x => x.Name == name && x.Alive);

    /// <summary>The running web process of a release (what the edge forwards to), if any.</summary>
    public Process? Web(string release) => Processes.FirstOrDefault(x => x.Release == release && x.Alive && x.Name.StartsWith("web-", StringComparison.Ordinal));
}
