using System.Text.Json;
using MeshHook.Deployment.Environments;

namespace MeshHook.Deployment.Targets.Ssh;

/// <summary>
/// What one host has: its current release, staged releases, recorded processes (alive or not), free ports for the new
/// release's processes, and which loopback interface those ports are on (<see cref="Loopback"/>).
/// </summary>
public sealed record SshHostState(SshHost Host, string? Current, IReadOnlyList<string> Staged, IReadOnlyList<SshHostState.Process> Processes,
    IReadOnlyList<int> FreePorts)
{
    /// <summary>
    /// Which 127.0.0.1 the host's release processes bind: its kernel's boot id and its network namespace. Two hosts of one
    /// target with the same value share one loopback interface (host names of one machine, the tests' loopback hosts), so
    /// their probes see the same ports and must not hand out the same one. Null when the host cannot tell (not Linux).
    /// </summary>
    public string? Loopback { get; init; }

    public sealed record Process(string Name, string? Release, int? Port, int Pid, DateTimeOffset StartedAt, string Log, bool Alive);

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Reads it in one round trip: a fixed node script (Node runs the releases there anyway) given the deploy path, the
    /// number of free loopback ports wanted and the range to take them from as arguments. Reads only: each port is bound
    /// and closed again at once, so hosts of one machine probing together all see the ports free (and <see cref="Assign"/>
    /// shares them out) rather than each missing the ones another holds for a moment.
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
        let loopback = null;
        try { loopback = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() + '/' + fs.readlinkSync('/proc/self/ns/net'); } catch {}
        // The range in random order, each port tried once: every free port is found if the range has enough.
        const order = Array.from({ length: last - first + 1 }, (_, i) => first + i);
        const freePorts = [];
        let tried = 0;
        const next = () => {
          if (freePorts.length >= count || tried >= order.length) {
            console.log(JSON.stringify({ current, staged, processes, freePorts, loopback }));
            return;
          }
          const pick = tried + Math.floor(Math.random() * (order.length - tried));
          const port = order[pick];
          order[pick] = order[tried];
          tried++;
          const server = net.createServer();
          server.once('error', () => next());
          server.listen(port, '127.0.0.1', () => { freePorts.push(port); server.close(() => next()); });
        };
        next();
        """;

    /// <summary>
    /// Reads a host's state with up to <paramref name="candidates"/> free ports of <paramref name="range"/> (0: no probe).
    /// Too few ports is <see cref="Assign"/>'s error, so a read that starts nothing never fails for want of them.
    /// </summary>
    public static async Task<SshHostState> ReadAsync(SshHostConnection connection, string deployPath, int candidates, PortRange range,
        CancellationToken cancellationToken)
    {
        var output = await connection.CheckAsync(Command(deployPath, Math.Min(candidates, range.Count), range), cancellationToken);
        var read = JsonSerializer.Deserialize<Read>(output, Json) ?? throw new Tooling.UserFacingException($"{connection.Host.Name} answered no state.");
        return new SshHostState(connection.Host, read.Current, read.Staged ?? [], read.Processes ?? [], read.FreePorts ?? []) { Loopback = read.Loopback };
    }

    sealed record Read(string? Current, IReadOnlyList<string>? Staged, IReadOnlyList<Process>? Processes, IReadOnlyList<int>? FreePorts, string? Loopback);

    static Tooling.UserFacingException TooFewPorts(string hosts, int needed, PortRange range) =>
        new($"{hosts} {(hosts.Contains(',', StringComparison.Ordinal) ? "have" : "has")} fewer than {needed} free ports in target.releasePorts " +
            $"{range} on 127.0.0.1 for the new release's processes: stop what listens there (`ss -ltnp`) or widen target.releasePorts, " +
            "and deploy again.");

    /// <summary>
    /// Gives each host <paramref name="perHost"/> of its free ports, never one that another host on the same loopback
    /// interface (<see cref="Loopback"/>) was given: their probes ran at the same time on the same ports, so without this two
    /// hosts of one machine could start their releases on one port and the second could not bind. Hosts on machines of
    /// their own keep their first ports. Each host probed <paramref name="perHost"/> × the number of hosts candidates, so
    /// every host finds enough ports the hosts before it did not take.
    /// </summary>
    public static IReadOnlyList<SshHostState> Assign(IReadOnlyList<SshHostState> states, int perHost, PortRange range)
    {
        // A host that cannot tell its loopback interface is a machine of its own.
        string MachineOf(SshHostState state) => state.Loopback ?? "host " + state.Host.Name;
        var taken = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
        var assigned = new List<SshHostState>(states.Count);
        foreach (var state in states)
        {
            var machine = MachineOf(state);
            if (!taken.TryGetValue(machine, out var used))
                taken[machine] = used = [];
            var ports = state.FreePorts.Where(x => !used.Contains(x)).Take(perHost).ToList();
            if (ports.Count < perHost)
            {
                var sharing = states.Where(x => MachineOf(x) == machine).Select(x => x.Host.Name).ToList();
                throw TooFewPorts(sharing.Count == 1 ? sharing[0] : string.Join(", ", sharing) + " (one machine)", perHost * sharing.Count, range);
            }
            used.UnionWith(ports);
            assigned.Add(state with { FreePorts = ports });
        }
        return assigned;
    }

    public Process? Running(string name) => Processes.FirstOrDefault(x => x.Name == name && x.Alive);

    /// <summary>The running web process of a release (what the edge forwards to), if any.</summary>
    public Process? Web(string release) => Processes.FirstOrDefault(x => x.Release == release && x.Alive && x.Name.StartsWith("web-", StringComparison.Ordinal));
}
